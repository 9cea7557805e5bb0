import {
  getToolDescriptionForNode,
  Workflow,
  type INode,
  type INodeProperties,
  type INodePropertyOptions,
  type INodeType,
  type INodeTypes,
} from 'n8n-workflow';
import { XeroGuardAssets } from '../../../../nodes/XeroGuardAssets/XeroGuardAssets.node';
import { XeroGuardFiles } from '../../../../nodes/XeroGuardFiles/XeroGuardFiles.node';
import { XeroGuardFinance } from '../../../../nodes/XeroGuardFinance/XeroGuardFinance.node';
import { XeroGuardPayrollAu } from '../../../../nodes/XeroGuardPayrollAu/XeroGuardPayrollAu.node';
import { XeroGuardPayrollNz } from '../../../../nodes/XeroGuardPayrollNz/XeroGuardPayrollNz.node';
import { XeroGuardPayrollUk } from '../../../../nodes/XeroGuardPayrollUk/XeroGuardPayrollUk.node';
import { XeroGuardProjects } from '../../../../nodes/XeroGuardProjects/XeroGuardProjects.node';
import { ACCOUNTING_NODE } from '../../../../nodes/XeroGuard/execute';
import { XeroGuard } from '../../../../nodes/XeroGuard/XeroGuard.node';

const node = new XeroGuard();
const RESOURCES = ACCOUNTING_NODE.resources;
const d = node.description;
const byName = (name: string) => d.properties.filter((p) => p.name === name);

/** The words an agent should find for each resource in what it is told. */
const NOUN: Record<string, string> = { history: 'history', customApiCall: 'api call' };

describe('Xero Guard node as an AI agent tool', () => {
  it('is usable as a tool with resource, operation and organisation fields', () => {
    expect(d.usableAsTool).toBe(true);
    expect(byName('resource')).toHaveLength(1);
    expect(byName('operation').length).toBe(RESOURCES.length);
    expect(byName('organizationId')).toHaveLength(1);
  });

  // n8n's tool wrapper (convertNodeToAiTool) sets "Tool Description: Set Automatically" for nodes with
  // resource and operation; the agent is then told getToolDescriptionForNode's text.
  it.each(RESOURCES.flatMap((r) => Object.keys(r.operations).map((op) => [r.value, op] as const)))(
    'the agent is told what %s %s does',
    (resource, operation) => {
      const tool: INode = {
        id: 't',
        name: 'Xero Guard',
        type: 'n8n-nodes-xero-guard.xeroGuardTool',
        typeVersion: 1,
        position: [0, 0],
        parameters: { resource, operation, descriptionType: 'auto' },
      };
      const text = getToolDescriptionForNode(tool, node);
      const r = RESOURCES.find((x) => x.value === resource);
      // Every resource's last operation is the Custom API Call, told as what it is.
      const noun = operation === 'customApiCall' ? 'api call' : (NOUN[resource] ?? r!.name.toLowerCase());
      expect(text.toLowerCase()).toContain(noun);
      expect(text).toMatch(/^[A-Z][a-z]+ .+ in Xero Guard$/);
      // An action sentence, not n8n's fallback of raw values ("getAll invoice") or the node's own description.
      expect(text).not.toContain(`${operation} ${resource}`);
      expect(text).not.toBe(node.description.description);
    },
  );

  it('every operation and resource option explains itself', () => {
    for (const p of [...byName('operation'), ...byName('resource')]) {
      for (const o of p.options as INodePropertyOptions[]) {
        expect(o.description).toEqual(expect.stringMatching(/\w{3,}\W+\w+/));
        if (p.name === 'operation') expect(o.action).toEqual(expect.stringMatching(/^[A-Z]/));
      }
    }
  });

  it('the organisation field tells an agent what to fill in and when it may stay empty', () => {
    const org = byName('organizationId')[0] as INodeProperties;
    expect(org.displayName).toBe('Organisation');
    expect(org.description).toMatch(/Xero organisation \(tenant\)/);
    expect(org.description).toMatch(/only one organisation/);
    expect(org.description).toMatch(/by ID or by its exact name/);
    expect(org.modes?.map((m) => m.name)).toEqual(['list', 'id', 'name']);
  });

  it("the node description (the manual tool description's default) names Xero and what it works on", () => {
    expect(d.description).toMatch(/Xero/);
    expect(d.description).toMatch(/contacts, invoices/);
  });

  it('avoids description properties n8n 3 removed, at node API level 1', () => {
    expect(d.defaults).not.toHaveProperty('color');
    expect(d.version).toBe(1);
  });
});

describe('every Xero Guard API node, as a tool and on the canvas', () => {
  const classes: Array<new () => INodeType> = [
    XeroGuard,
    XeroGuardPayrollAu,
    XeroGuardPayrollNz,
    XeroGuardPayrollUk,
    XeroGuardProjects,
    XeroGuardFiles,
    XeroGuardAssets,
    XeroGuardFinance,
  ];
  const cases = classes.flatMap((Type) => {
    const type = new Type();
    return type.description.properties
      .filter((p) => p.name === 'operation')
      .flatMap((p) => (p.options as INodePropertyOptions[]).map((o) => [type, String(p.displayOptions!.show!.resource![0]), o] as const));
  });

  /** The subtitle n8n's canvas shows, as n8n's own expression engine evaluates it for these parameters. */
  function subtitle(type: INodeType, resource: string, operation: string): unknown {
    const node: INode = {
      id: 's',
      name: 'N',
      type: `n8n-nodes-xero-guard.${type.description.name}`,
      typeVersion: 1,
      position: [0, 0],
      parameters: { resource, operation },
    };
    const nodeTypes = { getByName: () => type, getByNameAndVersion: () => type, getKnownTypes: () => ({}) } as unknown as INodeTypes;
    const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
    return workflow.expression.getSimpleParameterValue(node, type.description.subtitle, 'internal', {});
  }

  it('reads "Create an invoice", not "create: invoice"', () => {
    expect(subtitle(new XeroGuard(), 'invoice', 'create')).toBe('Create an invoice');
    expect(subtitle(new XeroGuard(), 'prepayment', 'createPrepaymentAllocations')).toBe('Create Prepayment Allocations');
    expect(subtitle(new XeroGuardPayrollUk(), 'employee', 'createEmployee')).toBe('Create Employee');
  });

  it.each(cases.map(([type, resource, o]) => [type.description.displayName, resource, o.value, type, o] as const))(
    '%s %s %s: the agent is told its action, the canvas shows it in words',
    (_, resource, operation, type, option) => {
      const tool: INode = { id: 't', name: 'T', type: 'x', typeVersion: 1, position: [0, 0], parameters: { resource, operation, descriptionType: 'auto' } };
      expect(getToolDescriptionForNode(tool, type)).toBe(`${option.action!} in ${type.description.displayName}`);
      const words = subtitle(type, resource, String(operation));
      expect(String(words).toLowerCase()).toBe(
        option.action!.toLowerCase() ===
          String(operation)
            .replace(/([a-z])([A-Z])/g, '$1 $2')
            .toLowerCase()
          ? option.name.toLowerCase()
          : option.action!.toLowerCase(),
      );
    },
  );
});
