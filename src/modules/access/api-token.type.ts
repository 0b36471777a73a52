import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { RoleEnum } from '../../shared/enums';
import { DateTimeScalar } from '../../shared/scalars';
import { UserError } from '../../shared/user-error.type';
import { PartnerType } from '../partners/partner.type';
import { NodeInterface } from '../../shared/node';

@ObjectType('ApiToken', { implements: NodeInterface })
export class ApiTokenType {
  @Field(() => ID) id: string;
  @Field(() => String) name: string;
  @Field(() => RoleEnum) role: RoleEnum;
  @Field(() => ID, { nullable: true }) partnerId: string | null;
  @Field(() => DateTimeScalar) createdAt: Date;
  @Field(() => DateTimeScalar, { nullable: true }) revokedAt: Date | null;
}

@ObjectType('Viewer')
export class ViewerType {
  @Field(() => ID, { description: 'The token\'s id, or "admin" for the environment\'s admin token (ADMIN_TOKEN).' }) id: string;
  @Field(() => RoleEnum) role: RoleEnum;
  @Field(() => PartnerType, { nullable: true }) partner?: PartnerType | null;
}

@InputType('CreateApiTokenInput')
export class CreateApiTokenInput {
  @Field(() => RoleEnum) role: RoleEnum;
  @Field(() => ID, { nullable: true }) partnerId?: string | null;
  @Field(() => String) name: string;
}

@InputType('RevokeApiTokenInput')
export class RevokeApiTokenInput {
  @Field(() => ID) id: string;
}

@ObjectType('CreateApiTokenPayload')
export class CreateApiTokenPayload {
  @Field(() => String, { nullable: true, description: 'Shown once.' }) token?: string | null;
  @Field(() => ApiTokenType, { nullable: true }) apiToken?: ApiTokenType | null;
  @Field(() => [UserError]) userErrors: UserError[];
}

@ObjectType('ApiTokenPayload')
export class ApiTokenPayload {
  @Field(() => ApiTokenType, { nullable: true }) apiToken?: ApiTokenType | null;
  @Field(() => [UserError]) userErrors: UserError[];
}
