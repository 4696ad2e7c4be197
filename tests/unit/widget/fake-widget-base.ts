// A stand-in for @jupyter-widgets/base's DOMWidgetModel: the real one needs a
// widget manager and a comm; this one keeps attributes and events, records what
// is sent, and can act as a comm closed by a kernel restart.
// Use: jest.mock('@jupyter-widgets/base', () => require('./fake-widget-base')).
export class DOMWidgetModel {
  static serializers = {};
  attributes: Record<string, unknown> = {};
  handlers: Record<string, Array<(...args: unknown[]) => void>> = {};
  sent: unknown[] = [];
  commClosed = false;
  comm_live = true;
  constructor(attributes: Record<string, unknown>, options: unknown) {
    (this as unknown as { initialize(a: unknown, o: unknown): void }).initialize(attributes, options);
  }
  defaults() {
    return {};
  }
  initialize(attributes: Record<string, unknown>) {
    this.attributes = { ...(this as unknown as { defaults(): object }).defaults(), ...attributes };
  }
  on(event: string, fn: (...args: unknown[]) => void) {
    (this.handlers[event] ??= []).push(fn);
  }
  trigger(event: string, ...args: unknown[]) {
    for (const fn of this.handlers[event] ?? []) fn(...args);
  }
  get(key: string) {
    return this.attributes[key];
  }
  set(values: Record<string, unknown>) {
    Object.assign(this.attributes, values);
  }
  save_changes() {}
  /** As WidgetModel.close(): the page closing a model closes its comm first, then 'destroy'. */
  close(comm_closed = false): Promise<void> {
    if (!comm_closed) this.commClosed = true;
    this.trigger('destroy', this);
    return Promise.resolve();
  }
  send(content: unknown) {
    // As @jupyterlab/services' comm does once the kernel restarted.
    if (this.commClosed) throw new Error('Cannot send');
    this.sent.push(content);
  }
}
