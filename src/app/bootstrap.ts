// Database preparation shared by the server, the CLI tools and the tests: migrations, seeds, the admin token.
import type { DataSource } from 'typeorm';
import { ApiTokenEntity } from '../modules/access/api-token.entity';
import { hashToken, newToken } from '../modules/access/tokens';
import { ServiceEntity } from '../modules/services/service.entity';
import { DEFAULT_SERVICES, defaultSettings } from '../modules/settings/defaults';
import { ProgramSettingsEntity } from '../modules/settings/program-settings.entity';

/** The first settings row is in force from long before any data, so every month reads a row. */
export const SETTINGS_EPOCH = '2000-01-01';

export async function migrate(ds: DataSource): Promise<void> {
  await ds.runMigrations({ transaction: 'each' });
}

/** Seeds SPEC §1 settings and catalogue into an empty database; returns true when the database was new. */
export async function seedProgram(ds: DataSource): Promise<boolean> {
  return ds.transaction(async (manager) => {
    await manager.query('LOCK TABLE program_settings IN EXCLUSIVE MODE');
    if (await manager.count(ProgramSettingsEntity)) return false;
    await manager.save(ProgramSettingsEntity, defaultSettings(SETTINGS_EPOCH));
    if ((await manager.count(ServiceEntity)) === 0) {
      await manager.save(
        ServiceEntity,
        DEFAULT_SERVICES.map((s) => ({ ...s, aliases: [s.name] })),
      );
    }
    return true;
  });
}

/**
 * The admin token: ADMIN_TOKEN when given; otherwise one is created at first start (stored hashed, returned once
 * so it can be printed). Returns the hash to accept and the new token, if one was made.
 */
export async function ensureAdminToken(ds: DataSource, adminToken: string | null, now: Date): Promise<{ hash: string; created: string | null }> {
  if (adminToken) return { hash: hashToken(adminToken), created: null };
  return ds.transaction(async (manager) => {
    await manager.query('LOCK TABLE api_tokens IN EXCLUSIVE MODE');
    const existing = await manager.findOne(ApiTokenEntity, { where: { role: 'ADMIN' } });
    if (existing) return { hash: '', created: null };
    const token = newToken();
    await manager.save(
      ApiTokenEntity,
      manager.create(ApiTokenEntity, {
        tokenHash: hashToken(token),
        name: 'Initial admin token',
        role: 'ADMIN',
        partnerId: null,
        createdBy: null,
        createdAt: now,
      }),
    );
    return { hash: '', created: token };
  });
}
