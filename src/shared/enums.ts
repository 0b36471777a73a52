// GraphQL enums of the contract, registered once.
import { registerEnumType } from 'type-graphql';

export enum PartnerStatusEnum {
  PENDING_REVIEW = 'PENDING_REVIEW',
  ACTIVE = 'ACTIVE',
  REJECTED = 'REJECTED',
  QUITTING = 'QUITTING',
  QUIT = 'QUIT',
  REVOKED = 'REVOKED',
}
export enum PartnerLevelEnum {
  PARTNER = 'PARTNER',
  EXPERT = 'EXPERT',
  PROFESSIONAL = 'PROFESSIONAL',
}
export enum PaymentModeEnum {
  ADVANCE = 'ADVANCE',
  POSTPAYMENT = 'POSTPAYMENT',
}
export enum SpecializationEnum {
  INFRA_DEVOPS = 'INFRA_DEVOPS',
  DATA_PLATFORM = 'DATA_PLATFORM',
  SECURITY = 'SECURITY',
  ML_AI = 'ML_AI',
}
export enum ReviewDecisionEnum {
  APPROVE = 'APPROVE',
  REJECT = 'REJECT',
}
export enum RoleEnum {
  ADMIN = 'ADMIN',
  PARTNER_OWNER = 'PARTNER_OWNER',
  PARTNER_ACCOUNTANT = 'PARTNER_ACCOUNTANT',
  PARTNER_VIEWER = 'PARTNER_VIEWER',
  INTEGRATOR = 'INTEGRATOR',
}

registerEnumType(PartnerStatusEnum, { name: 'PartnerStatus' });
registerEnumType(PartnerLevelEnum, { name: 'PartnerLevel' });
registerEnumType(PaymentModeEnum, { name: 'PaymentMode' });
registerEnumType(SpecializationEnum, { name: 'Specialization' });
registerEnumType(ReviewDecisionEnum, { name: 'ReviewDecision' });
registerEnumType(RoleEnum, { name: 'Role' });
