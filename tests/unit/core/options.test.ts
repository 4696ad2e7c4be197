import { resolveOptions } from '../../../src/core/options';

test('defaults are the original tool\'s: 5 fps, 1280x720, title on, black; png frames', () => {
  expect(resolveOptions({})).toEqual({
    fps: 5, width: 1280, height: 720, title: true, pointSize: undefined, pointShape: 'square', background: '#000000',
    colormap: 'viridis', scale: {}, quality: 'standard', view: undefined, renderer: 'auto', frameImage: 'png',
  });
});

test.each([
  [{ width: 1279 }, 'width must be even (yuv420p video needs even sizes), got 1279: try 1280'],
  [{ height: -2 }, 'height must be a positive whole number of pixels, got -2'],
  [{ width: 10.5 }, 'width must be a positive whole number of pixels, got 10.5'],
  [{ height: 10000 }, 'height 10000 is larger than 8192 pixels, more than browsers render'],
  [{ fps: -1 }, 'fps must be a number from 0.01 to 240 (frames per second), got -1'],
  [{ fps: 1000 }, 'fps must be a number from 0.01 to 240 (frames per second), got 1000'],
  [{ pointSize: 0 }, 'pointSize must be between 0 and 64 pixels, got 0'],
  [{ frameImage: 'webp' as never }, 'frameImage must be "jpeg", "png" or "rgba", got "webp"'],
  [{ pointShape: 'circle' as never }, 'pointShape must be "square" or "round", got "circle"'],
  [{ colormap: 'rainbow' as never }, 'colormap must be one of viridis, plasma, inferno, magma, jet, got "rainbow"'],
  [{ renderer: 'gpu' as never }, 'renderer must be "auto", "webgl" or "cpu", got "gpu"'],
  [{ quality: 'best' as never }, 'quality must be one of high, standard, small, got "best"'],
  [{ view: { position: [0, 0, NaN], target: [0, 0, 0], up: [0, 0, 1], fovDeg: 35 } as never }, 'view must have position, target and up, each three finite numbers'],
  [{ view: { position: [1, 1, 1], target: [1, 1, 1], up: [0, 0, 1], fovDeg: 35 } as never }, 'view position and target must differ'],
  [{ view: { position: [1, 1, 1], target: [0, 0, 0], up: [0, 0, 1], fovDeg: 0 } as never }, 'view fovDeg must lie between 1 and 179, got 0'],
])('%p is rejected with a message saying what to do', (options, message) => {
  expect(() => resolveOptions(options)).toThrow(message);
});
