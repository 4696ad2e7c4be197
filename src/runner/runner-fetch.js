// The runner page's fetch worker (src/runner/runner.js): a lazy export's frame messages, fetched in
// order, one at a time, up to the index the page allows, and handed to the page as they arrive.
// In the page itself each next request waited for a turn of the main thread, which draws frames
// meanwhile: frames came every ~37 ms where drawing one takes ~15. Here nothing waits on drawing.
//   page -> worker: { base, from, generation }  start (again) at frame `from`, under the export's folder URL
//                   { upTo }                     fetch up to frame `upTo`
//   worker -> page: { index, generation, bytes } (bytes transferred), or { index, generation, error }
let base = null;
let next = 0;
let upTo = -1;
let generation = 0;
let busy = false;

onmessage = ({ data }) => {
  if (data.base !== undefined) {
    base = data.base;
    next = data.from;
    upTo = data.from - 1;
    generation = data.generation;
  }
  if (data.upTo !== undefined) upTo = Math.max(upTo, data.upTo);
  pump();
};

async function pump() {
  if (busy) return;
  busy = true;
  while (next <= upTo) {
    const index = next++;
    const own = generation;
    try {
      const response = await fetch(new URL(`frame/${index}`, base), { cache: 'no-store' });
      if (!response.ok) {
        // 422: Python could not read or refused the frame, in its own words.
        const text = response.status === 422 ? await response.text() : `GET frame/${index} answered ${response.status}`;
        postMessage({ index, generation: own, error: text });
        continue;
      }
      const bytes = await response.arrayBuffer();
      postMessage({ index, generation: own, bytes }, [bytes]);
    } catch (e) {
      postMessage({ index, generation: own, error: String(e?.message ?? e) });
    }
  }
  busy = false;
}
