import { DEMO_TENANT_ID, SECOND_TENANT_ID, type Simulator } from '../../../src/simulator';
import { admin, call, getConnections, getOrganisation, manualSim, type AdminRefusal, type Answer } from './helpers';

let sim: Simulator;
beforeEach(async () => {
  ({ sim } = await manualSim());
});
afterEach(() => sim.close());

const getContacts = (accessToken: string, tenantId: string): Promise<Answer> =>
  call(`${sim.apiUrl}/api.xro/2.0/Contacts`, { headers: { Authorization: `Bearer ${accessToken}`, 'xero-tenant-id': tenantId, Accept: 'application/json' } });

const expectXeroForbidden = (answer: Answer): void => {
  expect(answer.status).toBe(403);
  expect(answer.json).toEqual({
    Type: null,
    Title: 'Forbidden',
    Status: 403,
    Detail: 'AuthenticationUnsuccessful',
    Instance: answer.headers.get('xero-correlation-id'),
    Extensions: {},
  });
};

describe('refusing one organisation while it stays connected', () => {
  it('answers 403 to Organisation and Accounting calls for that tenant only, for every token, until switched off', async () => {
    const practice = sim.seedGrant({ tenants: [DEMO_TENANT_ID, SECOND_TENANT_ID] });
    const other = sim.seedGrant({ email: 'other@xero-guard.test', tenants: [DEMO_TENANT_ID] });
    const on = await admin(sim, 'POST', '/refuse-tenant', { tenantId: DEMO_TENANT_ID, refuse: true });
    expect(on.status).toBe(200);
    expect(on.json).toEqual({ tenantId: DEMO_TENANT_ID, refuse: true });

    expectXeroForbidden(await getOrganisation(sim, practice.access_token, DEMO_TENANT_ID));
    expectXeroForbidden(await getOrganisation(sim, practice.access_token, DEMO_TENANT_ID.toUpperCase()));
    expectXeroForbidden(await getContacts(practice.access_token, DEMO_TENANT_ID));
    expectXeroForbidden(await getOrganisation(sim, other.access_token, DEMO_TENANT_ID));
    // The other organisation of the same grant is untouched, and /connections still lists both.
    expect((await getOrganisation(sim, practice.access_token, SECOND_TENANT_ID)).status).toBe(200);
    expect((await getContacts(practice.access_token, SECOND_TENANT_ID)).status).toBe(200);
    const listed = await getConnections(sim, practice.access_token);
    expect(listed.status).toBe(200);
    expect(listed.json.map((c: { tenantId: string }) => c.tenantId).sort()).toEqual([DEMO_TENANT_ID, SECOND_TENANT_ID].sort());

    sim.refuseTenant(DEMO_TENANT_ID, false);
    expect((await getOrganisation(sim, practice.access_token, DEMO_TENANT_ID)).json.Organisations[0].OrganisationID).toBe(DEMO_TENANT_ID);
    expect((await getContacts(other.access_token, DEMO_TENANT_ID)).status).toBe(200);

    sim.refuseTenant(SECOND_TENANT_ID, true);
    expectXeroForbidden(await getOrganisation(sim, practice.access_token, SECOND_TENANT_ID));
    expect((await admin(sim, 'POST', '/refuse-tenant', { tenantId: SECOND_TENANT_ID, refuse: false })).status).toBe(200);
    expect((await getOrganisation(sim, practice.access_token, SECOND_TENANT_ID)).status).toBe(200);
    expect(sim.log().filter((e) => e.type === 'action' && e.action === 'refuseTenant')).toHaveLength(4);
    expect(() => sim.refuseTenant('no-such-tenant', true)).toThrow(/^tenantId: no organisation no-such-tenant/);
  });

  it.each([
    [{ tenantId: 'no-such-tenant', refuse: true }, 'tenantId'],
    [{ refuse: true }, 'tenantId'],
    [{ tenantId: DEMO_TENANT_ID }, 'refuse'],
    [{ tenantId: DEMO_TENANT_ID, refuse: 'yes' }, 'refuse'],
    [{ tenantId: DEMO_TENANT_ID, refuse: true, colour: 'blue' }, 'colour'],
  ])('POST /refuse-tenant %j -> 400 naming %s', async (body, field) => {
    const answer = await admin<AdminRefusal>(sim, 'POST', '/refuse-tenant', body);
    expect(answer.status).toBe(400);
    expect(answer.json.field).toBe(field);
  });
});
