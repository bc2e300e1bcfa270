// Types for gifenc 1.0.3 (mattdesl/gifenc), which ships none: the parts the
// animation export uses.
declare module 'gifenc' {
  export type Palette = number[][];
  export interface GifWriteOptions {
    palette?: Palette;
    /** Milliseconds this frame shows (stored in hundredths of a second). */
    delay?: number;
    /** −1 once, 0 forever, n > 0 n more times (read from the first frame). */
    repeat?: number;
    transparent?: boolean;
    transparentIndex?: number;
    first?: boolean;
  }
  export interface GifEncoder {
    writeFrame(index: Uint8Array, width: number, height: number, options?: GifWriteOptions): void;
    finish(): void;
    bytes(): Uint8Array<ArrayBuffer>;
    reset(): void;
  }
  export function GIFEncoder(options?: { auto?: boolean; initialCapacity?: number }): GifEncoder;
  export function quantize(rgba: Uint8Array | Uint8ClampedArray, maxColors: number, options?: { format?: 'rgb565' | 'rgb444' | 'rgba4444'; oneBitAlpha?: boolean | number; clearAlpha?: boolean }): Palette;
  export function applyPalette(rgba: Uint8Array | Uint8ClampedArray, palette: Palette, format?: 'rgb565' | 'rgb444' | 'rgba4444'): Uint8Array;
}
