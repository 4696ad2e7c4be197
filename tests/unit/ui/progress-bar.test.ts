/** @jest-environment jsdom */
import { CloudreelProgressBar, percent } from '../../../src/ui/progress-bar';

async function mount(props: Partial<Pick<CloudreelProgressBar, 'fraction' | 'message' | 'phase'>>) {
  const el = document.createElement('cloudreel-progress-bar');
  Object.assign(el, props);
  document.body.append(el);
  await el.updateComplete;
  return el;
}

const bar = (el: CloudreelProgressBar) => el.shadowRoot!.querySelector('[role="progressbar"]')!;
const statusLine = (el: CloudreelProgressBar) => el.shadowRoot!.querySelector('[role="status"]')!;

afterEach(() => document.body.replaceChildren());

test('is registered as <cloudreel-progress-bar>', () => {
  expect(customElements.get('cloudreel-progress-bar')).toBe(CloudreelProgressBar);
});

test('shows the fraction as aria-valuenow (0..100) and the message as polite status text', async () => {
  const el = await mount({ fraction: 0.426, message: 'Rendering frame 3/7 (43%)', phase: 'render' });
  expect(bar(el).getAttribute('aria-valuemin')).toBe('0');
  expect(bar(el).getAttribute('aria-valuemax')).toBe('100');
  expect(bar(el).getAttribute('aria-valuenow')).toBe('43');
  expect(el.shadowRoot!.querySelector<HTMLElement>('.fill')!.style.width).toBe('43%');
  expect(statusLine(el).textContent!.trim()).toBe('Rendering frame 3/7 (43%)');
  expect(statusLine(el).getAttribute('aria-live')).toBe('polite');

  el.fraction = 1;
  el.message = 'Video ready! (2.5 MB)';
  await el.updateComplete;
  expect(bar(el).getAttribute('aria-valuenow')).toBe('100');
  expect(statusLine(el).textContent!.trim()).toBe('Video ready! (2.5 MB)');
});

test('fractions outside 0..1 or not numbers are clamped', async () => {
  expect([percent(-0.2), percent(0), percent(0.005), percent(0.995), percent(1.7), percent(NaN)]).toEqual([0, 0, 1, 100, 100, 0]);
  const el = await mount({ fraction: 3 });
  expect(bar(el).getAttribute('aria-valuenow')).toBe('100');
});

test('error and done phases are styled (class on the bar, phase attribute on the host)', async () => {
  const el = await mount({ fraction: 0.5, message: 'Encoding video...', phase: 'encode' });
  const box = () => el.shadowRoot!.querySelector('.bar')!;
  expect(box().classList.contains('error')).toBe(false);
  expect(box().classList.contains('done')).toBe(false);

  el.phase = 'error';
  el.message = 'Export failed: out of memory';
  await el.updateComplete;
  expect(el.getAttribute('phase')).toBe('error');
  expect(box().classList.contains('error')).toBe(true);
  expect(bar(el).getAttribute('aria-invalid')).toBe('true');

  el.phase = 'done';
  await el.updateComplete;
  expect(el.getAttribute('phase')).toBe('done');
  expect(box().classList.contains('done')).toBe(true);
  expect(box().classList.contains('error')).toBe(false);
});
