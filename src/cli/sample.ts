import { FlowLogGenerator } from '../sources/demo/generator.js';

/** `ipgeolocator sample`: realistic synthetic flow logs (version 2) on stdout, to try the tool without AWS. */
export async function sampleCommand(records: number, seed: number): Promise<number> {
  const gen = new FlowLogGenerator({ seed });
  for (let done = 0; done < records;) {
    let text = '';
    const n = Math.min(10_000, records - done);
    for (let i = 0; i < n; i++) text += `${gen.line()}\n`;
    done += n;
    if (!process.stdout.write(text)) await new Promise((r) => process.stdout.once('drain', r));
  }
  return 0;
}
