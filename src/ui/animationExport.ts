// The training animation as files: the frames of orchestration/animation.ts
// (SVG) rasterized in the page, then encoded as an animated GIF (gifenc) or a
// video (WebM with VP9, or MP4 with H.264 where the browser can encode it;
// WebCodecs through mediabunny's muxer). The GIF holds every frame exactly
// (one palette per frame); the video is lossy but small and smooth.
import { applyPalette, GIFEncoder, quantize } from 'gifenc';
import {
  ALL_FORMATS,
  BufferSource as MediaBufferSource,
  BufferTarget,
  CanvasSource,
  canEncodeVideo,
  Input,
  Mp4OutputFormat,
  Output,
  QUALITY_HIGH,
  VideoSampleSink,
  WebMOutputFormat,
} from 'mediabunny';
import { animationFrames, lossNear, type Animation } from '../orchestration/animation.ts';
import { encodeSpec } from '../spec/index.ts';
import { useLab } from '../store/labStore.ts';

/** Frames per second of the exports (a GIF's delays are hundredths of a second: 40 ms): ~200 kept steps last 8 s. */
export const ANIMATION_FPS = 25;

export type AnimationFormat = 'gif' | 'webm' | 'mp4';

/** The current run's animation (its timeline so far); null before there is one. */
export function currentAnimation(): Animation | null {
  const s = useLab.getState();
  if (!s.timeline || s.timeline.size === 0) return null;
  const h = s.history.points();
  return animationFrames(s.spec, s.timeline.snapshots, { link: encodeSpec(s.spec), lossAt: lossNear(h.x, h.y) });
}

/** Draws an SVG frame onto a canvas of its size (white underneath). */
export async function drawFrame(svg: string, ctx: CanvasRenderingContext2D, width: number, height: number): Promise<void> {
  const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
  try {
    const img = new Image(width, height);
    img.src = url;
    await img.decode();
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, width, height);
    ctx.drawImage(img, 0, 0, width, height);
  } finally {
    URL.revokeObjectURL(url);
  }
}

function frameCanvas(width: number, height: number): { canvas: HTMLCanvasElement; ctx: CanvasRenderingContext2D } {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('no 2D canvas in this browser');
  return { canvas, ctx };
}

/** Video codecs this browser can encode into each container (mediabunny asks WebCodecs). */
export async function videoCodecFor(format: 'webm' | 'mp4', width: number, height: number): Promise<'vp9' | 'vp8' | 'avc' | null> {
  const candidates = format === 'webm' ? (['vp9', 'vp8'] as const) : (['avc'] as const);
  for (const codec of candidates) if (await canEncodeVideo(codec, { width, height, quality: QUALITY_HIGH })) return codec;
  return null;
}

export interface EncodeProgress {
  (done: number, total: number): void;
}

/** The animation as a GIF: every frame with its own 256-colour palette, 1/fps s each, looping. */
export async function encodeGif(anim: Animation, onProgress?: EncodeProgress, shouldStop?: () => boolean): Promise<Blob | null> {
  const { width, height } = anim.layout;
  const { ctx } = frameCanvas(width, height);
  const gif = GIFEncoder();
  const delay = 1000 / ANIMATION_FPS;
  for (let i = 0; i < anim.frames.length; i++) {
    if (shouldStop?.()) return null;
    await drawFrame(anim.frames[i].svg, ctx, width, height);
    const rgba = ctx.getImageData(0, 0, width, height).data;
    const palette = quantize(rgba, 256);
    gif.writeFrame(applyPalette(rgba, palette), width, height, { palette, delay, repeat: 0 });
    onProgress?.(i + 1, anim.frames.length);
    // Let the page paint between frames.
    if (i % 8 === 7) await new Promise((r) => setTimeout(r, 0));
  }
  gif.finish();
  return new Blob([gif.bytes()], { type: 'image/gif' });
}

/** The animation as a video (WebM/VP9 or VP8, MP4/H.264), 1/fps s a frame; null if stopped. Throws, naming why, where the browser cannot encode it. */
export async function encodeVideo(anim: Animation, format: 'webm' | 'mp4', onProgress?: EncodeProgress, shouldStop?: () => boolean): Promise<Blob | null> {
  const { width, height } = anim.layout;
  const codec = await videoCodecFor(format, width, height);
  if (!codec) throw new Error(format === 'mp4' ? 'this browser cannot encode H.264 video (WebCodecs); export WebM or GIF instead' : 'this browser cannot encode VP9 or VP8 video (WebCodecs); export GIF instead');
  const { canvas, ctx } = frameCanvas(width, height);
  const output = new Output({ format: format === 'webm' ? new WebMOutputFormat() : new Mp4OutputFormat(), target: new BufferTarget() });
  const source = new CanvasSource(canvas, { codec, quality: QUALITY_HIGH, keyFrameInterval: 2 });
  output.addVideoTrack(source, { frameRate: ANIMATION_FPS });
  await output.start();
  for (let i = 0; i < anim.frames.length; i++) {
    if (shouldStop?.()) {
      await output.cancel();
      return null;
    }
    await drawFrame(anim.frames[i].svg, ctx, width, height);
    await source.add(i / ANIMATION_FPS, 1 / ANIMATION_FPS);
    onProgress?.(i + 1, anim.frames.length);
  }
  source.close();
  await output.finalize();
  const buffer = output.target.buffer;
  if (!buffer) throw new Error('the video could not be written');
  return new Blob([buffer], { type: format === 'webm' ? 'video/webm' : 'video/mp4' });
}

/** The RGBA pixels of frame i as the encoders see them. */
export async function frameRgba(anim: Animation, i: number): Promise<Uint8ClampedArray> {
  const { width, height } = anim.layout;
  const { ctx } = frameCanvas(width, height);
  await drawFrame(anim.frames[i].svg, ctx, width, height);
  return ctx.getImageData(0, 0, width, height).data;
}

/** Decodes an exported video: its frame count and size, and the first and last frames' RGBA. */
export async function decodeVideo(bytes: ArrayBuffer): Promise<{ frames: number; width: number; height: number; first: Uint8ClampedArray; last: Uint8ClampedArray }> {
  const input = new Input({ source: new MediaBufferSource(bytes), formats: ALL_FORMATS });
  const track = await input.getPrimaryVideoTrack();
  if (!track) throw new Error('the file has no video track');
  const width = track.displayWidth;
  const height = track.displayHeight;
  const { ctx } = frameCanvas(width, height);
  const sink = new VideoSampleSink(track);
  let frames = 0;
  let first: Uint8ClampedArray | null = null;
  let last: Uint8ClampedArray | null = null;
  for await (const sample of sink.samples()) {
    sample.draw(ctx, 0, 0, width, height);
    sample.close();
    const rgba = ctx.getImageData(0, 0, width, height).data;
    if (frames === 0) first = rgba;
    last = rgba;
    frames++;
  }
  input.dispose();
  if (!first || !last) throw new Error('the video has no frames');
  return { frames, width, height, first, last };
}
