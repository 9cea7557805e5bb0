import type { IExecuteFunctions, ILoadOptionsFunctions } from 'n8n-workflow';
import type { XeroApiPort } from './port';

export type XeroPortFactory = (context: IExecuteFunctions | ILoadOptionsFunctions) => Promise<XeroApiPort>;

/** Thrown until the package binds the node to the core Xero client (a defect if a user ever sees it). */
export class XeroPortUnboundError extends Error {
  readonly code = 'PORT_UNBOUND';
  constructor() {
    super('The Xero Guard node is not connected to its Xero client in this build (a packaging defect: please report it).');
    this.name = 'XeroPortUnboundError';
  }
}

// Wiring step: replace this with a factory that opens the guarded session (nodes/shared openNodeConnection)
// and wraps the core client of src/xero.
let factory: XeroPortFactory = async () => {
  throw new XeroPortUnboundError();
};

export function bindXeroPort(next: XeroPortFactory): void {
  factory = next;
}

export function openXeroPort(context: IExecuteFunctions | ILoadOptionsFunctions): Promise<XeroApiPort> {
  return factory(context);
}
