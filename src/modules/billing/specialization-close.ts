// At a quarter's end the close pays specialization rebates (SPEC §11): G per partner × specialization from the
// quarter's months, the level in force, the base against the previous quarter, the rebate and co-marketing budget.
import type { EntityManager } from 'typeorm';
import { copyInto, copyNumeric, copyRow, copyText, transactionClient } from '../../shared/copy';
import { addDays, endOfMonthExclusive, firstDayOfMonth, maxDate, previousQuarter, quarterMonths } from '../../shared/dates';
import { Dec, ZERO, type Dec as Decimal } from '../../shared/money';
import type { PartnerSpecializationEntity } from '../partners/partner-specialization.entity';
import type { NewLedgerEntry } from '../rebates/ledger.service';
import type { ProgramSettingsEntity } from '../settings/program-settings.entity';
import { SettingsService } from '../settings/settings.service';
import { levelInForce, specializationBase, specializationRebate, type Specialization } from './domain/specialization-rebate';
import type { SpecializationBaseEntity } from './specialization-base.entity';

type SpecializationPeriodRow = Pick<PartnerSpecializationEntity, 'partnerId' | 'specialization' | 'level' | 'activeFrom' | 'activeTo'>;

const SPECIALIZATIONS: Specialization[] = ['INFRA_DEVOPS', 'DATA_PLATFORM', 'SECURITY', 'ML_AI'];

/** What the quarter's rebates are computed from; keys are "partnerId|specialization". */
interface QuarterInput {
  g: Map<string, Decimal>;
  gPrevious: Map<string, Decimal>;
  periodsByKey: Map<string, SpecializationPeriodRow[]>;
  partners: Map<string, { activeFrom: string; exitDate: string | null }>;
}

async function readQuarter(manager: EntityManager, quarter: string): Promise<QuarterInput> {
  const { first, last } = quarterMonths(quarter);
  const gRows: { partner_id: string; specialization: string; g: string }[] = await manager.query(
    `SELECT partner_id, specialization, sum(eligible_consumption) AS g FROM specialization_months WHERE month >= $1 AND month <= $2 GROUP BY 1, 2`,
    [first, last],
  );
  const prevRows: { partner_id: string; specialization: string; eligible_consumption: string }[] = await manager.query(
    `SELECT partner_id, specialization, eligible_consumption FROM specialization_bases WHERE quarter = $1`,
    [previousQuarter(quarter)],
  );
  // Plain rows rather than entities: every period of the program is read.
  const periods: SpecializationPeriodRow[] = await manager.query(
    `SELECT partner_id AS "partnerId", specialization, level, active_from::text AS "activeFrom", active_to::text AS "activeTo" FROM partner_specializations`,
  );
  const partnerRows: { id: string; active_from: string; exit_date: string | null }[] = await manager.query(
    `SELECT id, active_from::text AS active_from, exit_date::text AS exit_date FROM partners WHERE active_from IS NOT NULL`,
  );
  const periodsByKey = new Map<string, SpecializationPeriodRow[]>();
  for (const p of periods) {
    const key = `${p.partnerId}|${p.specialization}`;
    if (!periodsByKey.has(key)) periodsByKey.set(key, []);
    periodsByKey.get(key)!.push(p);
  }
  return {
    g: new Map(gRows.map((r) => [`${r.partner_id}|${r.specialization}`, new Dec(r.g)])),
    gPrevious: new Map(prevRows.map((r) => [`${r.partner_id}|${r.specialization}`, new Dec(r.eligible_consumption)])),
    periodsByKey,
    partners: new Map(partnerRows.map((p) => [p.id, { activeFrom: p.active_from, exitDate: p.exit_date }])),
  };
}

/** The quarter's base per partner × specialization (stored whatever the level) and the rebate entries it pays. */
function quarterBases(input: QuarterInput, quarter: string, settings: ProgramSettingsEntity, now: Date) {
  const { first, last } = quarterMonths(quarter);
  const qFirstDay = firstDayOfMonth(first);
  const qLastDay = addDays(endOfMonthExclusive(last), -1);
  const entries: NewLedgerEntry[] = [];
  const bases: SpecializationBaseEntity[] = [];
  for (const key of new Set([...input.g.keys(), ...input.periodsByKey.keys()])) {
    const [partnerId, specialization] = key.split('|');
    const partner = input.partners.get(partnerId);
    const gQ = input.g.get(key) ?? ZERO;
    let level: string | null = null;
    if (partner?.activeFrom && input.periodsByKey.has(key) && qFirstDay <= qLastDay) {
      // Active on a day of Q while the partner was in the program (from approval to the exit date).
      level = levelInForce(input.periodsByKey.get(key)!, maxDate(qFirstDay, partner.activeFrom), qLastDay, partner.exitDate);
    }
    let base = ZERO;
    let rebate = ZERO;
    let coMarketing = ZERO;
    if (level && SPECIALIZATIONS.includes(specialization as Specialization)) {
      base = specializationBase(specialization as Specialization, gQ, input.gPrevious.get(key) ?? ZERO);
      ({ rebate, coMarketing } = specializationRebate(base, SettingsService.levelRates(settings, level)));
      if (rebate.gt(0)) {
        const description = `${specialization} ${level} rebate ${quarter}`;
        entries.push({ partnerId, kind: 'SPECIALIZATION_REBATE', amount: rebate, period: quarter, specialization, description, createdAt: now });
      }
    }
    bases.push({ partnerId, specialization, quarter, eligibleConsumption: gQ, level, base, rebate, coMarketing });
  }
  return { entries, bases };
}

async function storeBases(manager: EntityManager, bases: SpecializationBaseEntity[]): Promise<void> {
  const rows = bases.map((b) =>
    copyRow([
      b.partnerId,
      copyText(b.specialization),
      b.quarter,
      copyNumeric(b.eligibleConsumption),
      copyText(b.level),
      copyNumeric(b.base),
      copyNumeric(b.rebate),
      copyNumeric(b.coMarketing),
    ]),
  );
  if (rows.length === 0) return;
  const columns = ['partner_id', 'specialization', 'quarter', 'eligible_consumption', 'level', 'base', 'rebate', 'co_marketing'];
  await copyInto(transactionClient(manager), 'specialization_bases', columns, [rows.join('')]);
}

/** Stores the quarter's specialization bases and returns the SPECIALIZATION_REBATE entries to append. */
export async function quarterSpecializationRebates(
  manager: EntityManager,
  quarter: string,
  settings: ProgramSettingsEntity,
  now: Date,
): Promise<NewLedgerEntry[]> {
  const { entries, bases } = quarterBases(await readQuarter(manager, quarter), quarter, settings, now);
  await storeBases(manager, bases);
  return entries;
}
