// The real @jupyter-widgets/base model under test, as the widget cookiecutter's
// tests run it: a mock comm that records what the model sends and delivers
// what the kernel sends, and a mock widget manager. Test files using it run in
// ./widget-environment.cjs (jsdom and what it lacks).
import type { IClassicComm, ICallbacks, IWidgetManager } from '@jupyter-widgets/base';
import { AnimationModel } from '../../../src/widget/model';

type Handler = ((msg: unknown) => void) | null;
let comms = 0;

export class MockComm implements IClassicComm {
  comm_id = `mock-comm-${comms++}`;
  target_name = 'jupyter.widget';
  /** Every message sent to the kernel: a custom one, or a state update. */
  messages: Array<{ data: { method: string; content?: unknown; state?: unknown }; buffers?: ArrayBuffer[] | ArrayBufferView[] }> = [];
  /** Closed, as @jupyterlab/services' comm is after close() or a kernel restart: a send then throws. */
  closed = false;
  #onMsg: Handler = null;
  #onClose: Handler = null;

  /** The content of each custom message, as the kernel's widget receives it. */
  custom: Array<Record<string, unknown>> = [];

  on_msg(fn: Handler): void {
    this.#onMsg = fn;
  }

  on_close(fn: Handler): void {
    this.#onClose = fn;
  }

  open(): string {
    return 'open';
  }

  send(data: unknown, _callbacks?: ICallbacks, _metadata?: unknown, buffers?: ArrayBuffer[] | ArrayBufferView[]): string {
    if (this.closed) throw new Error('Cannot send');
    const message = { data: data as MockComm['messages'][number]['data'], buffers };
    this.messages.push(message);
    if (message.data.method === 'custom') this.custom.push(message.data.content as Record<string, unknown>);
    // The kernel takes a state update and goes idle, which lets the model send the next one (ipywidgets throttles them).
    if (message.data.method === 'update') queueMicrotask(() => _callbacks?.iopub?.status?.({ content: { execution_state: 'idle' } } as never));
    return `sent-${this.messages.length}`;
  }

  close(): string {
    this.closed = true;
    this.#onClose?.({ content: { comm_id: this.comm_id, data: {} } });
    return 'closed';
  }

  /** A custom message from the kernel, delivered as ipywidgets delivers it. */
  deliver(content: unknown, buffers: unknown = []): void {
    void this.#onMsg?.({ content: { comm_id: this.comm_id, data: { method: 'custom', content } }, buffers });
  }

  /** A change of traits in the kernel (anim.point_size = 3), delivered as ipywidgets delivers it; resolves once applied. */
  async update(state: Record<string, unknown>): Promise<void> {
    await this.#onMsg?.({ content: { comm_id: this.comm_id, data: { method: 'update', state, buffer_paths: [] } }, buffers: [] });
  }

  /** The states this page sent the kernel (model.save_changes(); ipywidgets merges those made while one is on its way), in order. */
  get updates(): Array<Record<string, unknown>> {
    return this.messages.filter((m) => m.data.method === 'update').map((m) => m.data.state as Record<string, unknown>);
  }

  /** The traits as the kernel has them from this page's updates. */
  get kernelState(): Record<string, unknown> {
    return Object.assign({}, ...this.updates);
  }
}

/** A widget manager with the one thing a model asks of it here: callbacks for its state updates. */
function mockManager(): IWidgetManager {
  return { callbacks: () => ({}) } as unknown as IWidgetManager;
}

export interface Widget {
  model: AnimationModel;
  comm: MockComm;
  /** Kernel -> page: a custom message. */
  deliver(content: unknown, buffers?: unknown): void;
  /** What the page sent the kernel, custom messages only. */
  sent: Array<Record<string, unknown>>;
  /** The kernel restarted: the comm is gone, and the manager marks the model's comm dead. */
  restartKernel(): void;
}

let models = 0;

/** An AnimationModel made as the widget manager makes one, with `state` from the kernel. */
export function createWidget(state: Record<string, unknown> = {}): Widget {
  const comm = new MockComm();
  const model = new AnimationModel(state, { model_id: `model-${models++}`, comm, widget_manager: mockManager() });
  return {
    model,
    comm,
    deliver: (content, buffers) => comm.deliver(content, buffers),
    sent: comm.custom,
    restartKernel() {
      comm.closed = true;
      model.comm_live = false;
    },
  };
}
