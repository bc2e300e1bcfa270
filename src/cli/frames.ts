// npm run lab -- frames result.json --out dir [--max N]: a run's training
// animation as a frame sequence, from the timeline a `run --timeline` result
// holds: dir/frame-0000.svg … (the frames the page's GIF and video are made
// of: its matrices at each kept step, one colour range per matrix, captioned
// with step, loss and link) and dir/frames.json (step and file per frame).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { animationFrames, DEFAULT_MAX_FRAMES, lossNear } from '../orchestration/animation.ts';
import { Timeline } from '../orchestration/timeline.ts';
import { modelFor } from '../models/index.ts';
import { parseSpec } from '../spec/index.ts';

type Fail = (message: string) => never;

export function framesCommand(rest: string[], fail: Fail): void {
  const { values, positionals } = parseArgs({ args: rest, options: { out: { type: 'string' }, max: { type: 'string' } }, allowPositionals: true, strict: true });
  if (positionals.length !== 1 || !values.out) fail('usage: npm run lab -- frames result.json --out dir [--max N]');
  const max = values.max === undefined ? DEFAULT_MAX_FRAMES : Number(values.max);
  if (!Number.isInteger(max) || max < 2) fail(`--max must be an integer ≥ 2, got ${values.max}`);
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(readFileSync(positionals[0], 'utf8')) as Record<string, unknown>;
  } catch (e) {
    fail(`${positionals[0]}: ${(e as Error).message}`);
  }
  if (!doc.timeline) fail(`${positionals[0]} has no timeline: run it with --timeline (npm run lab -- run --spec … --timeline --out result.json)`);
  const { spec, errors } = parseSpec(doc.spec);
  if (errors.length > 0) fail(`${positionals[0]}: its spec has problems: ${errors.map((e) => e.message).join('; ')}`);
  let timeline: Timeline;
  try {
    timeline = Timeline.fromJson(doc.timeline, spec.train.steps, modelFor(spec).paramCount);
  } catch (e) {
    fail(`${positionals[0]}: ${(e as Error).message}`);
  }
  const history = doc.lossHistory as { step?: number[]; loss?: number[] } | undefined;
  const anim = animationFrames(spec, timeline.snapshots, {
    link: typeof doc.share === 'string' ? doc.share : '',
    lossAt: history?.step && history.loss ? lossNear(history.step, history.loss) : undefined,
    maxFrames: max,
  });
  mkdirSync(values.out!, { recursive: true });
  const index = anim.frames.map((f, i) => {
    const file = `frame-${String(i).padStart(4, '0')}.svg`;
    writeFileSync(join(values.out!, file), f.svg + '\n');
    return { step: f.step, file };
  });
  writeFileSync(join(values.out!, 'frames.json'), JSON.stringify({ width: anim.layout.width, height: anim.layout.height, frames: index }, null, 1) + '\n');
  process.stderr.write(`${index.length} frames (${anim.layout.width}×${anim.layout.height}) in ${values.out}\n`);
}
