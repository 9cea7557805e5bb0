import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError, UserError } from 'n8n-workflow';
import {
  ACTION_GROUPS,
  ACTIONS,
  actionGroupOf,
  classifyXeroErrorAsync,
  compileRules,
  normaliseXeroError,
  type Action,
  type Classification,
  type CompiledRules,
  type CustomRule,
} from '../../src/classify';
import { errorJson } from '../shared/node-support';

/** The five output groups, in output order (defined in the core, shared with Node-RED). */
export { ACTION_GROUPS, actionGroupOf };

const ACTION_LABELS: Record<Action, string> = {
  retry: 'Retry',
  refresh_and_retry: 'Refresh Token and Retry',
  wait_and_retry: 'Wait and Retry',
  reauthenticate: 'Re-Authenticate',
  fix_configuration: 'Fix Configuration',
  fix_request: 'Fix Request',
  alert: 'Alert',
};

interface RuleParameter {
  name?: string;
  expression?: string;
  category?: string;
  action?: string;
  advice?: string;
  summary?: string;
}

export class XeroGuardClassifyError implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'Xero Guard Classify Error',
    name: 'xeroGuardClassifyError',
    icon: { light: 'file:../../icons/xero-guard-classify.svg', dark: 'file:../../icons/xero-guard-classify.dark.svg' },
    group: ['transform'],
    version: 1,
    subtitle: '={{ $parameter["outputMode"] === "single" ? "Classify an error" : "Classify an error and route it" }}',
    description: 'Explains a Xero error in plain language and routes it: retry, wait, re-authenticate, fix or alert',
    defaults: { name: 'Classify Xero Error' },
    usableAsTool: true,
    inputs: [NodeConnectionTypes.Main],
    outputs: `={{ $parameter["outputMode"] === "single" ? [{ "type": "main", "displayName": "Classified" }] : [{ "type": "main", "displayName": "Retry" }, { "type": "main", "displayName": "Wait" }, { "type": "main", "displayName": "Re-Authenticate" }, { "type": "main", "displayName": "Fix" }, { "type": "main", "displayName": "Alert" }] }}`,
    properties: [
      {
        displayName: 'Error Source',
        name: 'errorSource',
        type: 'options',
        options: [
          {
            name: 'Auto-Detect',
            value: 'auto',
            description: "Reads the whole item: an error output item, an Error Trigger item, an HTTP response, n8n's error texts",
          },
          { name: 'Field', value: 'field', description: 'Reads one field of the item' },
        ],
        default: 'auto',
      },
      {
        displayName: 'Field Path',
        name: 'errorField',
        type: 'string',
        default: 'error',
        placeholder: 'e.g. error or body.response',
        description: "Dot path of the field holding the error, in the item's JSON",
        displayOptions: { show: { errorSource: ['field'] } },
      },
      {
        displayName: 'Output Mode',
        name: 'outputMode',
        type: 'options',
        options: [
          { name: 'One Output per Action Group', value: 'perAction', description: 'Five outputs: Retry, Wait, Re-Authenticate, Fix, Alert' },
          { name: 'Single Output', value: 'single', description: 'Every item on one output, with the classification added' },
        ],
        default: 'perAction',
      },
      {
        displayName: 'Custom Rules',
        name: 'customRules',
        type: 'fixedCollection',
        typeOptions: { multipleValues: true, sortable: true },
        placeholder: 'Add Rule',
        default: {},
        description:
          'Rules tried in order before the built-in ones. Each is a JSONata expression over the normalised error: status, headers, body, text, source, code, detail, type, error.',
        options: [
          {
            displayName: 'Rule',
            name: 'rules',
            values: [
              {
                displayName: 'Action',
                name: 'action',
                type: 'options',
                options: ACTIONS.map((a) => ({ name: ACTION_LABELS[a], value: a })),
                default: 'alert',
              },
              { displayName: 'Advice', name: 'advice', type: 'string', default: '', description: 'What to do, in your words' },
              {
                displayName: 'Category',
                name: 'category',
                type: 'string',
                default: '',
                placeholder: 'e.g. bad_account_code',
                description: 'A built-in category or your own snake_case name',
              },
              {
                displayName: 'Expression',
                name: 'expression',
                type: 'string',
                default: '',
                placeholder: 'status = 400 and $contains(text, "Account code")',
                description: 'JSONata; the rule applies when it is true',
                noDataExpression: true,
              },
              { displayName: 'Name', name: 'name', type: 'string', default: '', description: 'Shown in matchedRule and in configuration errors' },
            ],
          },
        ],
      },
      {
        displayName: 'Options',
        name: 'options',
        type: 'collection',
        placeholder: 'Add Option',
        default: {},
        options: [
          {
            displayName: 'Output Field',
            name: 'outputField',
            type: 'string',
            default: 'classification',
            description: 'Name of the field the classification is written to',
          },
          {
            displayName: 'Include Normalised Error',
            name: 'includeNormalised',
            type: 'boolean',
            default: false,
            description: 'Whether to add what custom rules see, to help write them',
          },
        ],
      },
    ],
  };

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    const items = this.getInputData();
    const single = this.getNodeParameter('outputMode', 0, 'perAction') === 'single';
    const outputs: INodeExecutionData[][] = single ? [[]] : ACTION_GROUPS.map(() => []);
    const route = (item: INodeExecutionData, action: Action | null) => {
      outputs[single ? 0 : ACTION_GROUPS.indexOf(actionGroupOf(action))].push(item);
    };
    let rules: CompiledRules | undefined;
    try {
      rules = compileCustomRules(this.getNodeParameter('customRules', 0, {}) as IDataObject);
    } catch (error) {
      const nodeError = new NodeOperationError(this.getNode(), error instanceof Error ? error.message : String(error), {
        description: 'Fix or remove this custom rule: the expression must be valid JSONata, and name, category and action must be set.',
        failure: { cause: 'configuration-invalid' },
      });
      if (!this.continueOnFail()) throw nodeError;
      items.forEach((item, itemIndex) => route({ json: { ...item.json, ...errorJson(nodeError) }, pairedItem: { item: itemIndex } }, null));
      return outputs;
    }
    for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
      const item = items[itemIndex];
      try {
        const source = this.getNodeParameter('errorSource', itemIndex, 'auto') as string;
        const options = this.getNodeParameter('options', itemIndex, {}) as { outputField?: string; includeNormalised?: boolean };
        const input = source === 'field' ? readPath(item.json, String(this.getNodeParameter('errorField', itemIndex, 'error'))) : autoInput(item);
        const classification: Classification = await classifyXeroErrorAsync(input, rules ? { rules } : undefined);
        const field = options.outputField?.trim() || 'classification';
        const json: IDataObject = { ...item.json, [field]: classification as unknown as IDataObject };
        if (options.includeNormalised) json[`${field}Input`] = normaliseXeroError(input) as unknown as IDataObject;
        route({ json, binary: item.binary, pairedItem: { item: itemIndex } }, classification.action);
      } catch (error) {
        if (this.continueOnFail()) {
          route({ json: { ...item.json, ...errorJson(error) }, pairedItem: { item: itemIndex } }, null);
          continue;
        }
        // The classifier never throws for its input; what does is a defect of ours or a rule's runtime failure.
        throw new NodeOperationError(this.getNode(), error instanceof Error ? error.message : String(error), {
          itemIndex,
          failure: rules ? { cause: 'configuration-invalid' } : { cause: 'node-defect' },
        });
      }
    }
    return outputs;
  }
}

/** The fixedCollection's rules, checked and compiled once: a broken one is named in the error. */
export function compileCustomRules(parameter: IDataObject): CompiledRules | undefined {
  const list = (parameter?.rules as RuleParameter[] | undefined) ?? [];
  if (list.length === 0) return undefined;
  const rules: CustomRule[] = list.map((r, i) => {
    const name = r.name?.trim() || `Rule ${i + 1}`;
    if (!r.expression?.trim()) throw new UserError(`Custom rule "${name}": the expression is empty`);
    if (!r.category?.trim()) throw new UserError(`Custom rule "${name}": the category is empty`);
    const action = (ACTIONS as readonly string[]).includes(r.action ?? '') ? (r.action as Action) : 'alert';
    return {
      name,
      expression: r.expression,
      category: r.category.trim(),
      action,
      ...(r.advice?.trim() ? { advice: r.advice.trim() } : {}),
      ...(r.summary?.trim() ? { summary: r.summary.trim() } : {}),
    };
  });
  return compileRules(rules);
}

/** The whole item; an item that is only an error (continueOnFail upstream) is that error. */
function autoInput(item: INodeExecutionData): unknown {
  const hasJson = item.json && Object.keys(item.json).length > 0;
  if (!hasJson && item.error)
    return {
      error: {
        message: item.error.message,
        description: (item.error as { description?: unknown }).description,
        httpCode: (item.error as { httpCode?: unknown }).httpCode,
      },
    };
  return item.json;
}

/** "a.b[0].c" in the item's JSON; undefined when a step is missing. */
export function readPath(root: unknown, path: string): unknown {
  const steps = path
    .replace(/^\$json\.?/, '')
    .split(/\.|\[(\d+)\]/)
    .filter((s) => s !== undefined && s !== '');
  let current: unknown = root;
  for (const step of steps) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[step];
  }
  return current;
}
