import type { FlowReader } from '../parse/reader.js';
import type { Piece } from '../sources/decode.js';

/** Hands one decoded piece to a reader. Returns true for a CloudWatch control message (counted by the caller). */
export function feedPiece(reader: FlowReader, piece: Piece): boolean {
  if (piece.type === 'chunk') reader.chunk(piece.data);
  else if (piece.type === 'message') reader.message(piece.data, piece.where);
  else if (piece.type === 'reject') reader.rejectPiece(piece.rejection);
  else return true;
  return false;
}
