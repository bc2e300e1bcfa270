// The stream of batch prompt b of a training step, mirrored by trainingStream
// in src/tasks/sampler.ts: (step, b) for fresh prompts; for a fixed training
// set of TRAIN_SET prompts, prompt g = step·B + b of the endless shuffled
// stream is position g mod N of epoch ⌊g/N⌋ (the CPU passes step·B's epoch and
// offset per step, exactly, in StepInfo), and its set index is that position
// through the epoch's seeded permutation.
// Needs from the prelude: FIXED_SET, TRAIN_SET (N), SET_HALF (half the
// Feistel width: 4^SET_HALF ≥ N); `run` and `stepi` from the kernel.

const TRAINSET_WORD: u32 = 0xb0000000u;

// A four-round Feistel network on 2·SET_HALF bits is a bijection of
// [0, 4^SET_HALF); walking the cycle until the value falls below N restricts
// it to one of [0, N) (fewer than four walks on average).
fn set_index(p: u32, epoch: u32, seed: u32) -> u32 {
  let mask = (1u << SET_HALF) - 1u;
  var x = p;
  loop {
    var l = (x >> SET_HALF) & mask;
    var r = x & mask;
    for (var round = 0u; round < 4u; round++) {
      let f = pcg4d(vec4u(r, seed, epoch, round)).x & mask;
      let t = r;
      r = l ^ f;
      l = t;
    }
    x = (l << SET_HALF) | r;
    if (x < TRAIN_SET) { break; }
  }
  return x;
}

fn train_key(step: u32, prompt: u32) -> vec3u {
  if (FIXED_SET) {
    let n = max(TRAIN_SET, 1u);
    let pos = stepi.set_offset + prompt;
    return prompt_key(run.data_seed, TRAINSET_WORD, set_index(pos % n, stepi.set_epoch + pos / n, run.data_seed));
  } else {
    return prompt_key(run.data_seed, step, prompt);
  }
}
