import type { Page } from 'playwright-core';

/** The canvas slide's width: unlike the fake camera's 1280, so recorded segments tell them apart. */
export const SLIDE_WIDTH = 1024;
/** The widths of the slide's simulcast layers (full, half and quarter size). */
export const SLIDE_LAYER_WIDTHS = [SLIDE_WIDTH, SLIDE_WIDTH / 2, SLIDE_WIDTH / 4];

/**
 * Once `window.shareCanvasSlide` is set, getDisplayMedia returns a canvas with a slide drawn once:
 * a still picture, which a canvas delivers as a single frame (as a still screen can).
 */
export async function offerCanvasSlide(page: Page): Promise<void> {
  await page.addInitScript((width: number) => {
    const devices = navigator.mediaDevices;
    const share = devices.getDisplayMedia.bind(devices);
    devices.getDisplayMedia = async (options) => {
      if (!(window as unknown as { shareCanvasSlide?: boolean }).shareCanvasSlide) return share(options);
      const canvas = document.createElement('canvas');
      canvas.width = width;
      canvas.height = 768;
      const stream = canvas.captureStream(15);
      const context = canvas.getContext('2d')!;
      context.fillStyle = '#fff';
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.fillStyle = '#000';
      context.font = '64px sans-serif';
      context.fillText('Folkhälsodagen 2026', 100, 200);
      return stream;
    };
  }, SLIDE_WIDTH);
}
