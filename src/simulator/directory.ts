import type { Clock } from '../clock';
import { newId } from './formats';
import type { ClientConfig, OrganisationConfig, UserConfig } from './types';

/** Well-known credentials so the demo and tests work with no setup. Never valid at Xero. */
export const DEMO_CLIENT_ID = 'XEROGUARDDEMOCLIENT0000000000001';
export const DEMO_CLIENT_SECRET = 'xero-guard-demo-secret-not-for-production-use-000';
/** A PKCE app: Xero gives these no secret. */
export const DEMO_PKCE_CLIENT_ID = 'XEROGUARDDEMOPKCE000000000000001';
/** A Custom Connection app (client_credentials), with the same secret as the demo client. */
export const DEMO_CUSTOM_CLIENT_ID = 'XEROGUARDDEMOCUSTOM0000000000001';
export const DEMO_USER_EMAIL = 'demo@xero-guard.test';
export const DEMO_TENANT_ID = 'a3c3ee1f-4b5b-4c1e-9d4e-0d1c2b3a4f5e';
export const SECOND_TENANT_ID = 'b7f0c6d2-8e9a-4f3b-a1c2-3d4e5f6a7b8c';
export const N8N_CALLBACK = 'http://localhost:5678/rest/oauth2-credential/callback';

export function demoClients(): ClientConfig[] {
  return [
    {
      clientId: DEMO_CLIENT_ID,
      clientSecret: DEMO_CLIENT_SECRET,
      name: 'Xero Guard Demo',
      redirectUris: [N8N_CALLBACK],
      allowAnyLoopbackRedirect: true,
    },
    { clientId: DEMO_PKCE_CLIENT_ID, name: 'Xero Guard Demo (PKCE)', redirectUris: [N8N_CALLBACK], allowAnyLoopbackRedirect: true },
    {
      clientId: DEMO_CUSTOM_CLIENT_ID,
      clientSecret: DEMO_CLIENT_SECRET,
      name: 'Xero Guard Demo (Custom Connection)',
      redirectUris: [],
      customConnection: {
        tenantId: DEMO_TENANT_ID,
        scopes: ['accounting.settings', 'accounting.settings.read', 'accounting.contacts', 'accounting.contacts.read'],
      },
    },
  ];
}

export function demoOrganisations(): OrganisationConfig[] {
  return [
    { tenantId: DEMO_TENANT_ID, name: 'Demo Company (NZ)', countryCode: 'NZ', isDemoCompany: true },
    { tenantId: SECOND_TENANT_ID, name: 'Guard Test Ltd (AU)', countryCode: 'AU' },
  ];
}

export interface User {
  userId: string;
  email: string;
  firstName: string;
  lastName: string;
}

export interface Organisation extends Required<OrganisationConfig> {
  createdAt: number;
}

export interface Connection {
  id: string;
  tenantId: string;
  userId: string;
  clientId: string;
  authEventId: string;
  createdAt: number;
  updatedAt: number;
}

export interface Client extends ClientConfig {
  name: string;
}

/** What a state file keeps of the directory (state-file.ts): the live maps. */
export interface DirectoryState {
  clients: Map<string, Client>;
  users: Map<string, User>;
  organisations: Map<string, Organisation>;
  connections: Map<string, Connection>;
}

/** Who exists at this fake Xero: apps, users, organisations, and which user connected which app to what. */
export class Directory {
  readonly clients = new Map<string, Client>();
  readonly users = new Map<string, User>();
  readonly organisations = new Map<string, Organisation>();
  private readonly connections = new Map<string, Connection>();

  constructor(
    private readonly clock: Clock,
    clients: ClientConfig[],
    organisations: OrganisationConfig[],
    users: UserConfig[],
  ) {
    for (const c of clients) this.clients.set(c.clientId, { ...c, redirectUris: [...c.redirectUris], name: c.name ?? c.clientId });
    for (const o of organisations) this.addOrganisation(o);
    for (const u of users) this.userByEmail(u.email, u);
    for (const c of this.clients.values()) {
      if (c.customConnection) this.connect(this.customConnectionUser(c).userId, c.clientId, [c.customConnection.tenantId], newId());
    }
  }

  snapshot(): DirectoryState {
    return { clients: this.clients, users: this.users, organisations: this.organisations, connections: this.connections };
  }

  addOrganisation(o: OrganisationConfig): Organisation {
    const org: Organisation = {
      tenantId: o.tenantId,
      name: o.name,
      tenantType: o.tenantType ?? 'ORGANISATION',
      countryCode: o.countryCode ?? 'NZ',
      isDemoCompany: o.isDemoCompany ?? false,
      createdAt: this.clock.now(),
    };
    this.organisations.set(org.tenantId, org);
    return org;
  }

  /** Finds or creates: the login form takes any email, as a sandbox should. */
  userByEmail(email: string, config: Partial<UserConfig> = {}): User {
    for (const u of this.users.values()) if (u.email.toLowerCase() === email.toLowerCase()) return u;
    const local = email.split('@')[0] ?? 'user';
    const user: User = { userId: config.userId ?? newId(), email, firstName: config.firstName ?? local, lastName: config.lastName ?? 'Tester' };
    this.users.set(user.userId, user);
    return user;
  }

  /** A Custom Connection has no human user at Xero; the simulator gives it a stand-in. */
  customConnectionUser(client: Client): User {
    return this.userByEmail(`custom-connection+${client.clientId.toLowerCase()}@xero-guard.test`);
  }

  findUser(userIdOrEmail: string): User | undefined {
    return this.users.get(userIdOrEmail) ?? [...this.users.values()].find((u) => u.email.toLowerCase() === userIdOrEmail.toLowerCase());
  }

  /** Reconnecting a tenant keeps its connection id and moves updatedDateUtc and authEventId, as at Xero. */
  connect(userId: string, clientId: string, tenantIds: string[], authEventId: string): Connection[] {
    const now = this.clock.now();
    return tenantIds.map((tenantId) => {
      const existing = [...this.connections.values()].find((c) => c.userId === userId && c.clientId === clientId && c.tenantId === tenantId);
      if (existing) {
        existing.updatedAt = now;
        existing.authEventId = authEventId;
        return existing;
      }
      const conn: Connection = { id: newId(), tenantId, userId, clientId, authEventId, createdAt: now, updatedAt: now };
      this.connections.set(conn.id, conn);
      return conn;
    });
  }

  list(userId: string, clientId: string, authEventId?: string): Connection[] {
    return [...this.connections.values()]
      .filter((c) => c.userId === userId && c.clientId === clientId && (authEventId === undefined || c.authEventId === authEventId))
      .sort((a, b) => a.createdAt - b.createdAt);
  }

  all(): Connection[] {
    return [...this.connections.values()];
  }

  getConnection(id: string): Connection | undefined {
    return this.connections.get(id);
  }

  isConnected(userId: string, clientId: string, tenantId: string): boolean {
    return this.list(userId, clientId).some((c) => c.tenantId === tenantId);
  }

  remove(id: string): Connection | undefined {
    const conn = this.connections.get(id);
    this.connections.delete(id);
    return conn;
  }

  removeWhere(match: (c: Connection) => boolean): Connection[] {
    const removed = [...this.connections.values()].filter(match);
    for (const c of removed) this.connections.delete(c.id);
    return removed;
  }

  /** Distinct organisations an app holds: what Xero's tier connection limit counts. */
  tenantsOfClient(clientId: string): Set<string> {
    return new Set([...this.connections.values()].filter((c) => c.clientId === clientId).map((c) => c.tenantId));
  }
}
