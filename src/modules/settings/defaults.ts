import { Dec } from '../../shared/money';
import type { ProgramSettingsEntity } from './program-settings.entity';

/** SPEC §1 defaults, seeded into a fresh database. */
export function defaultSettings(effectiveFrom: string): ProgramSettingsEntity {
  return {
    effectiveFrom,
    baseBonusRate: new Dec('0.1'),
    maxDealBonusRate: new Dec('0.15'),
    maxProjectRebateRate: new Dec('0.15'),
    minDealTargetConsumption: new Dec('30000.00'),
    minProjectMonthlyConsumption: new Dec('30000.00'),
    dealLinkWindowDays: 60,
    projectRebateMonths: 12,
    quitNoticeDays: 30,
    presaleResponseBusinessDays: 3,
    specializationRates: [
      { level: 'PARTNER', rebateRate: '0', coMarketingRate: '0' },
      { level: 'EXPERT', rebateRate: '0.035', coMarketingRate: '0.015' },
      { level: 'PROFESSIONAL', rebateRate: '0.07', coMarketingRate: '0.03' },
    ],
    createdAt: new Date(),
  };
}

export const DEFAULT_SERVICES: {
  id: string;
  name: string;
  bonusEligible: boolean;
  specialization: 'INFRA_DEVOPS' | 'DATA_PLATFORM' | 'SECURITY' | 'ML_AI' | null;
}[] = [
  { id: 'compute', name: 'Compute Cloud', bonusEligible: true, specialization: 'INFRA_DEVOPS' },
  { id: 'object-storage', name: 'Object Storage', bonusEligible: true, specialization: 'INFRA_DEVOPS' },
  { id: 'vpc', name: 'Virtual Private Cloud', bonusEligible: true, specialization: 'INFRA_DEVOPS' },
  { id: 'managed-kubernetes', name: 'Managed Service for Kubernetes', bonusEligible: true, specialization: 'INFRA_DEVOPS' },
  { id: 'managed-postgresql', name: 'Managed Service for PostgreSQL', bonusEligible: true, specialization: 'DATA_PLATFORM' },
  { id: 'managed-clickhouse', name: 'Managed Service for ClickHouse', bonusEligible: true, specialization: 'DATA_PLATFORM' },
  { id: 'data-transfer', name: 'Data Transfer', bonusEligible: true, specialization: 'DATA_PLATFORM' },
  { id: 'kms', name: 'Key Management Service', bonusEligible: true, specialization: 'SECURITY' },
  { id: 'smartwebsecurity', name: 'Smart Web Security', bonusEligible: true, specialization: 'SECURITY' },
  { id: 'ai-studio', name: 'AI Studio', bonusEligible: true, specialization: 'ML_AI' },
  { id: 'speechkit', name: 'SpeechKit', bonusEligible: true, specialization: 'ML_AI' },
  { id: 'datasphere', name: 'DataSphere', bonusEligible: true, specialization: 'ML_AI' },
  { id: 'marketplace', name: 'Marketplace', bonusEligible: false, specialization: null },
  { id: 'storedoc', name: 'Managed Service for MongoDB', bonusEligible: false, specialization: null },
  { id: 'interconnect', name: 'Cloud Interconnect', bonusEligible: false, specialization: null },
];
