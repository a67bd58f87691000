/**
 * Organisations: roles owner > admin > member > viewer, and e-mail invitations (a token the invitee
 * presents while signed in with the invited address).
 */
import type { Db } from '../db';
import { hashToken, randomToken } from '../auth/tokens';
import { ConflictError, ForbiddenError, NotFoundError } from '../errors';

export const ORG_ROLES = ['owner', 'admin', 'member', 'viewer'] as const;
export type OrgRole = (typeof ORG_ROLES)[number];
const RANK: Record<OrgRole, number> = { owner: 3, admin: 2, member: 1, viewer: 0 };

export function atLeast(role: OrgRole | undefined, needed: OrgRole): boolean {
  return role !== undefined && RANK[role] >= RANK[needed];
}

export interface Org {
  id: string;
  name: string;
  slug: string;
  ownerId: string;
  plan: string;
  role: OrgRole;
  createdAt: string;
}

export interface OrgMember {
  userId: string;
  email: string;
  name: string;
  role: OrgRole;
  joinedAt: string;
}

const INVITATION_TTL_MS = 7 * 24 * 3600 * 1000;

export class OrgService {
  constructor(private readonly db: Db) {}

  async roleOf(userId: string, orgId: string): Promise<OrgRole | undefined> {
    const row = await this.db('org_members').where({ org_id: orgId, user_id: userId }).first('role');
    return row?.role;
  }

  /** Throws 404 to non-members (an org's existence is private) and 403 to members below `needed`. */
  async requireRole(userId: string, orgId: string, needed: OrgRole): Promise<OrgRole> {
    const role = await this.roleOf(userId, orgId);
    if (!role) throw new NotFoundError('Organisation');
    if (!atLeast(role, needed))
      throw new ForbiddenError(`This needs the ${needed} role in the organisation; you are ${role}.`);
    return role;
  }

  async create(userId: string, input: { name: string; slug: string }): Promise<Org> {
    return this.db.transaction(async (trx) => {
      const taken = await trx('organizations').where({ slug: input.slug }).first('id');
      if (taken)
        throw new ConflictError(`The slug "${input.slug}" is taken: choose another.`, [
          { field: 'body.slug', message: 'already taken' },
        ]);
      const [org] = await trx('organizations')
        .insert({ name: input.name, slug: input.slug, owner_id: userId })
        .returning('*');
      await trx('org_members').insert({ org_id: org.id, user_id: userId, role: 'owner' });
      return toOrg(org, 'owner');
    });
  }

  async listForUser(userId: string): Promise<Org[]> {
    const rows = await this.db('organizations as o')
      .join('org_members as m', 'm.org_id', 'o.id')
      .where('m.user_id', userId)
      .orderBy('o.name')
      .select('o.*', 'm.role');
    return rows.map((row) => toOrg(row, row.role));
  }

  async get(userId: string, orgId: string): Promise<Org> {
    const role = await this.requireRole(userId, orgId, 'viewer');
    return toOrg(await this.db('organizations').where({ id: orgId }).first(), role);
  }

  async update(userId: string, orgId: string, input: { name?: string }): Promise<Org> {
    const role = await this.requireRole(userId, orgId, 'admin');
    const [row] = await this.db('organizations')
      .where({ id: orgId })
      .update({ ...input, updated_at: this.db.fn.now() })
      .returning('*');
    return toOrg(row, role);
  }

  async remove(userId: string, orgId: string): Promise<void> {
    await this.requireRole(userId, orgId, 'owner');
    await this.db('organizations').where({ id: orgId }).delete();
  }

  async members(userId: string, orgId: string): Promise<OrgMember[]> {
    await this.requireRole(userId, orgId, 'viewer');
    const rows = await this.db('org_members as m')
      .join('users as u', 'u.id', 'm.user_id')
      .where('m.org_id', orgId)
      .orderBy('u.email')
      .select('m.user_id', 'u.email', 'u.name', 'm.role', 'm.joined_at');
    return rows.map((r) => ({
      userId: r.user_id,
      email: r.email,
      name: r.name,
      role: r.role,
      joinedAt: new Date(r.joined_at).toISOString(),
    }));
  }

  /** Owners change anyone's role but their own; admins manage members and viewers only. Nobody becomes owner here. */
  async setRole(
    actorId: string,
    orgId: string,
    memberId: string,
    role: Exclude<OrgRole, 'owner'>,
  ): Promise<void> {
    const actorRole = await this.requireRole(actorId, orgId, 'admin');
    const current = await this.roleOf(memberId, orgId);
    if (!current) throw new NotFoundError('Organisation member');
    this.assertCanManage(actorRole, current, role);
    if (actorId === memberId) throw new ForbiddenError('You cannot change your own role.');
    await this.db('org_members').where({ org_id: orgId, user_id: memberId }).update({ role });
  }

  async removeMember(actorId: string, orgId: string, memberId: string): Promise<void> {
    const current = await this.roleOf(memberId, orgId);
    if (actorId === memberId) {
      if (!current) throw new NotFoundError('Organisation');
      if (current === 'owner')
        throw new ForbiddenError('The owner cannot leave the organisation; delete it or transfer ownership.');
    } else {
      const actorRole = await this.requireRole(actorId, orgId, 'admin');
      if (!current) throw new NotFoundError('Organisation member');
      this.assertCanManage(actorRole, current, 'viewer');
    }
    await this.db('org_members').where({ org_id: orgId, user_id: memberId }).delete();
  }

  private assertCanManage(actorRole: OrgRole, targetRole: OrgRole, newRole: OrgRole): void {
    if (targetRole === 'owner') throw new ForbiddenError("The owner's membership cannot be changed.");
    if (actorRole !== 'owner' && (targetRole === 'admin' || newRole === 'admin')) {
      throw new ForbiddenError('Only the owner can grant, change or remove the admin role.');
    }
  }

  async invite(actorId: string, orgId: string, input: { email: string; role: Exclude<OrgRole, 'owner'> }) {
    const actorRole = await this.requireRole(actorId, orgId, 'admin');
    if (input.role === 'admin' && actorRole !== 'owner')
      throw new ForbiddenError('Only the owner can invite admins.');
    const already = await this.db('org_members as m')
      .join('users as u', 'u.id', 'm.user_id')
      .where('m.org_id', orgId)
      .whereRaw('lower(u.email) = lower(?)', [input.email])
      .first('m.id');
    if (already) throw new ConflictError(`${input.email} is already a member.`);
    const token = randomToken();
    const [row] = await this.db('org_invitations')
      .insert({
        org_id: orgId,
        email: input.email,
        role: input.role,
        token_hash: hashToken(token),
        invited_by: actorId,
        expires_at: new Date(Date.now() + INVITATION_TTL_MS),
      })
      .returning('*');
    return {
      id: row.id as string,
      email: row.email as string,
      role: row.role as OrgRole,
      expiresAt: new Date(row.expires_at).toISOString(),
      token,
    };
  }

  async invitations(actorId: string, orgId: string) {
    await this.requireRole(actorId, orgId, 'admin');
    const rows = await this.db('org_invitations')
      .where({ org_id: orgId })
      .whereNull('accepted_at')
      .orderBy('created_at');
    return rows.map((r) => ({
      id: r.id as string,
      email: r.email as string,
      role: r.role as OrgRole,
      expiresAt: new Date(r.expires_at).toISOString(),
    }));
  }

  async acceptInvitation(userId: string, token: string): Promise<Org> {
    return this.db.transaction(async (trx) => {
      const invitation = await trx('org_invitations')
        .where({ token_hash: hashToken(token) })
        .forUpdate()
        .first();
      const user = await trx('users').where({ id: userId }).first('email');
      if (!invitation || invitation.accepted_at || new Date(invitation.expires_at).getTime() < Date.now())
        throw new NotFoundError('Invitation');
      if (String(user.email).toLowerCase() !== String(invitation.email).toLowerCase()) {
        throw new ForbiddenError(
          `This invitation was sent to ${invitation.email}: sign in with that address to accept it.`,
        );
      }
      await trx('org_invitations').where({ id: invitation.id }).update({ accepted_at: trx.fn.now() });
      await trx('org_members')
        .insert({ org_id: invitation.org_id, user_id: userId, role: invitation.role })
        .onConflict(['org_id', 'user_id'])
        .ignore();
      const org = await trx('organizations').where({ id: invitation.org_id }).first();
      const member = await trx('org_members')
        .where({ org_id: invitation.org_id, user_id: userId })
        .first('role');
      return toOrg(org, member.role);
    });
  }
}

function toOrg(row: Record<string, unknown>, role: OrgRole): Org {
  return {
    id: row.id as string,
    name: row.name as string,
    slug: row.slug as string,
    ownerId: row.owner_id as string,
    plan: row.plan as string,
    role,
    createdAt: new Date(row.created_at as string).toISOString(),
  };
}
