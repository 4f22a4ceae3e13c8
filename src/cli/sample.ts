import { writeText } from '../sinks/table.js';
import { bundledAddressSpace } from '../sources/demo/address-space.js';
import { FlowLogGenerator } from '../sources/demo/generator.js';

/** `ipgeolocator sample`: realistic synthetic flow logs (version 2) on stdout, to try the tool without AWS. */
export async function sampleCommand(records: number, seed: number): Promise<number> {
  const gen = new FlowLogGenerator({ seed, space: bundledAddressSpace() });
  function* lines(): Generator<string> {
    for (let i = 0; i < records; i++) yield `${gen.line()}\n`;
  }
  await writeText(process.stdout, lines());
  return 0;
}
