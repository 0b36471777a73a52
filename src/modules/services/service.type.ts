import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { SpecializationEnum } from '../../shared/enums';
import { UserError } from '../../shared/user-error.type';
import { NodeInterface } from '../../shared/node';

@ObjectType('Service', { implements: NodeInterface })
export class ServiceType {
  @Field(() => ID) id: string;
  @Field(() => String) name: string;
  @Field(() => Boolean) bonusEligible: boolean;
  @Field(() => SpecializationEnum, { nullable: true }) specialization: SpecializationEnum | null;
  @Field(() => [String], { description: "Ids and names under which the service appears in the provider's usage export." }) aliases: string[];
}

@InputType('ServiceInput')
export class ServiceInput {
  @Field(() => ID) id: string;
  @Field(() => String) name: string;
  @Field(() => Boolean) bonusEligible: boolean;
  @Field(() => SpecializationEnum, { nullable: true }) specialization?: SpecializationEnum | null;
  @Field(() => [String], { nullable: true }) aliases?: string[] | null;
}

@ObjectType('ServicePayload')
export class ServicePayload {
  @Field(() => ServiceType, { nullable: true }) service?: ServiceType | null;
  @Field(() => [UserError]) userErrors: UserError[];
}
