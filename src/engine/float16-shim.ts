// webgpu-utils references Float16Array at import time; Node 20 lacks it. The
// engine never uses f16 data, so a stand-in of the right element size is enough.
(globalThis as { Float16Array?: unknown }).Float16Array ??= Uint16Array;
export {};
