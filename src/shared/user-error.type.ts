import { Field, ObjectType } from 'type-graphql';

@ObjectType('UserError')
export class UserError {
  @Field(() => [String], { description: 'Path to the input field at fault, e.g. ["input", "inn"]; empty when not field-specific.' })
  field: string[];
  @Field(() => String, { description: 'Stable machine-readable code from SPEC §9, e.g. DEAL_CONFLICT.' })
  code: string;
  @Field(() => String) message: string;
}
