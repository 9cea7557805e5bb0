/**
 * The parts of Node-RED's runtime API this package uses, typed by hand: @types/node-red pulls in
 * Express and the editor's types for the few calls below, and lags Node-RED's releases.
 */

export type NodeMessage = Record<string, unknown>;

export interface NodeStatus {
  fill?: 'red' | 'green' | 'yellow' | 'blue' | 'grey';
  shape?: 'ring' | 'dot';
  text?: string;
}

export type Send = (msg: NodeMessage | Array<NodeMessage | null>) => void;
export type Done = (error?: Error) => void;

/** A node as Node-RED's createNode makes it: the runtime's part of `this` in a node constructor. */
export interface RuntimeNode {
  readonly id: string;
  readonly name?: string;
  readonly credentials?: Record<string, unknown>;
  status(status: NodeStatus): void;
  warn(message: string): void;
  error(message: string): void;
  send(msg: NodeMessage | Array<NodeMessage | null>): void;
  on(event: 'input', handler: (msg: NodeMessage, send: Send, done: Done) => void | Promise<void>): void;
  /** A handler taking `done` is waited for; one without is not. */
  on(event: 'close', handler: ((removed: boolean, done: () => void) => void) | (() => void)): void;
  context(): { get(key: string): unknown; set(key: string, value: unknown): void };
}

/** A node's settings as deployed from the editor. */
export interface NodeConfig {
  id: string;
  type: string;
  name?: string;
  [field: string]: unknown;
}

export interface AdminRequest {
  params: Record<string, string>;
  query: Record<string, unknown>;
  body?: unknown;
}

export interface AdminResponse {
  status(code: number): AdminResponse;
  json(body: unknown): void;
  type(type: string): AdminResponse;
  send(body: string): void;
}

type AdminHandler = (req: AdminRequest, res: AdminResponse) => void;
type Middleware = (req: AdminRequest, res: AdminResponse, next: () => void) => void;

export interface RuntimeSettings {
  userDir?: string;
  credentialSecret?: string | false;
  uiHost?: string;
  uiPort?: number;
  https?: unknown;
  httpAdminRoot?: string | false;
  /** This package's own settings in settings.js. */
  xeroGuard?: unknown;
}

export interface RED {
  nodes: {
    createNode(node: object, config: NodeConfig): void;
    registerType(
      type: string,
      constructor: (this: RuntimeNode, config: NodeConfig) => void,
      options?: { credentials: Record<string, { type: 'text' | 'password' }> },
    ): void;
    getNode(id: string): unknown;
    getCredentials(id: string): Record<string, unknown> | undefined;
  };
  settings: RuntimeSettings;
  httpAdmin: {
    get(path: string, ...handlers: Array<AdminHandler | Middleware>): void;
    post(path: string, ...handlers: Array<AdminHandler | Middleware>): void;
  };
  auth: { needsPermission(permission: string): Middleware };
  log: { info(message: string): void; warn(message: string): void };
  util: {
    getMessageProperty(msg: NodeMessage, property: string): unknown;
    setMessageProperty(msg: NodeMessage, property: string, value: unknown, createMissing?: boolean): boolean;
  };
}
