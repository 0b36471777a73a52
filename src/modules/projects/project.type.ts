import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType } from '../../shared/pagination';
import { MoneyScalar, MonthScalar, RateScalar } from '../../shared/scalars';
import { UserError } from '../../shared/user-error.type';
import { NodeInterface } from '../../shared/node';

export enum ProjectScopeEnum {
  CLOUD = 'CLOUD',
  FOLDER = 'FOLDER',
}
registerEnumType(ProjectScopeEnum, { name: 'ProjectScope' });

export enum ProjectStatusEnum {
  SUBMITTED = 'SUBMITTED',
  APPROVED = 'APPROVED',
  REJECTED = 'REJECTED',
  COMPLETED = 'COMPLETED',
}
registerEnumType(ProjectStatusEnum, { name: 'ProjectStatus' });

/** Fields resolved straight from ProjectEntity; partner, submittedAt and rebateAccrued are field resolvers. */
@ObjectType('Project', { implements: NodeInterface })
export class ProjectType {
  @Field(() => ID) id: string;
  @Field(() => String) customerInn: string;
  @Field(() => String) customerName: string;
  @Field(() => String) customerBillingAccountId: string;
  @Field(() => ProjectScopeEnum) scope: ProjectScopeEnum;
  @Field(() => String) scopeId: string;
  @Field(() => MoneyScalar) targetMonthlyConsumption: unknown;
  @Field(() => String) description: string;
  @Field(() => ProjectStatusEnum) status: ProjectStatusEnum;
  @Field(() => String, { nullable: true }) statusReason: string | null;
  @Field(() => RateScalar, { nullable: true }) rebateRate: unknown;
  @Field(() => MonthScalar, { nullable: true }) rebateFrom: string | null;
  @Field(() => MonthScalar, { nullable: true }) rebateTo: string | null;
}

export const ProjectConnection = ConnectionType('Project', ProjectType);

@ObjectType('ProjectPayload')
export class ProjectPayload {
  @Field(() => ProjectType, { nullable: true }) project?: ProjectType | null;
  @Field(() => [UserError]) userErrors: UserError[];
}
