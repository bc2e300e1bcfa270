// A read-only window into the training animation for the browser tests: the
// frames the exports would hold (count, size, steps, any frame's pixels) and
// a decoder for an exported video, so a test can check the files against
// the frames. Loads the encoders' module on first use, like the exports.

type Rgba = string; // base64 of the RGBA bytes, row-major

declare global {
  interface Window {
    __iclLabAnimation?: {
      plan: () => Promise<{ frames: number; width: number; height: number; steps: number[] } | null>;
      frameRgba: (i: number) => Promise<Rgba>;
      decodeVideo: (base64: string) => Promise<{ frames: number; width: number; height: number; first: Rgba; last: Rgba }>;
    };
  }
}

function toBase64(bytes: Uint8Array | Uint8ClampedArray): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function fromBase64(text: string): ArrayBuffer {
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out.buffer;
}

export function installAnimationHook(): void {
  const load = () => import('./animationExport.ts');
  window.__iclLabAnimation = Object.freeze({
    plan: async () => {
      const a = (await load()).currentAnimation();
      return a ? { frames: a.frames.length, width: a.layout.width, height: a.layout.height, steps: a.frames.map((f) => f.step) } : null;
    },
    frameRgba: async (i: number) => {
      const m = await load();
      const a = m.currentAnimation();
      if (!a) throw new Error('no animation yet');
      return toBase64(await m.frameRgba(a, i));
    },
    decodeVideo: async (base64: string) => {
      const v = await (await load()).decodeVideo(fromBase64(base64));
      return { frames: v.frames, width: v.width, height: v.height, first: toBase64(v.first), last: toBase64(v.last) };
    },
  });
}
