import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { AppContext } from '../../graphql/context';
import { partnerScope, requireAdmin, requirePartnerRead, requirePartnerRole, requireViewer } from '../../graphql/guards';
import { toPayload } from '../../graphql/payload';
import { PageArgs } from '../../shared/pagination';
import { DateTimeScalar, MoneyScalar } from '../../shared/scalars';
import type { PartnerEntity } from '../partners/partner.entity';
import { PartnerType } from '../partners/partner.type';
import { RegisterProjectInput, ReviewProjectInput } from './project.inputs';
import { ProjectEntity } from './project.entity';
import { ProjectConnection, ProjectPayload, ProjectStatusEnum, ProjectType } from './project.type';

@ArgsType()
class ProjectsArgs extends PageArgs {
  @Field(() => ProjectStatusEnum, { nullable: true }) status?: ProjectStatusEnum;
}

@ArgsType()
class ProjectQueueArgs extends ProjectsArgs {
  @Field(() => ID, { nullable: true }) partnerId?: string;
}

const projectPayload = (project: ProjectEntity) => ({ project });

@Resolver(() => ProjectType)
export class ProjectResolver {
  @Query(() => ProjectType, { nullable: true })
  async project(@Arg('id', () => ID) id: string, @Ctx() ctx: AppContext): Promise<ProjectEntity | null> {
    requireViewer(ctx); // authentication before anything is looked up (SPEC §9)
    const project = await ctx.loaders.project.load(id);
    if (!project) return null;
    requirePartnerRead(ctx, project.partnerId);
    return project;
  }

  @Query(() => ProjectConnection)
  projects(@Args(() => ProjectQueueArgs) args: ProjectQueueArgs, @Ctx() ctx: AppContext) {
    return ctx.app.projects.list(partnerScope(ctx, args.partnerId), args.status, args);
  }

  @FieldResolver(() => PartnerType)
  partner(@Root() project: ProjectEntity, @Ctx() ctx: AppContext) {
    return ctx.loaders.partner.load(project.partnerId);
  }

  @FieldResolver(() => DateTimeScalar)
  submittedAt(@Root() project: ProjectEntity): Date {
    return project.createdAt;
  }

  @FieldResolver(() => MoneyScalar, { description: 'Rebate accrued for this project so far.' })
  rebateAccrued(@Root() project: ProjectEntity, @Ctx() ctx: AppContext) {
    return ctx.loaders.projectRebateAccrued.load(project.id);
  }

  @Mutation(() => ProjectPayload)
  registerProject(@Arg('input', () => RegisterProjectInput) input: RegisterProjectInput, @Ctx() ctx: AppContext) {
    requirePartnerRole(ctx, input.partnerId, ['PARTNER_OWNER']);
    return toPayload(() => ctx.app.projects.register(input), projectPayload);
  }

  @Mutation(() => ProjectPayload)
  reviewProject(@Arg('input', () => ReviewProjectInput) input: ReviewProjectInput, @Ctx() ctx: AppContext) {
    requireAdmin(ctx);
    return toPayload(() => ctx.app.projects.review(input), projectPayload);
  }
}

@Resolver(() => PartnerType)
export class PartnerProjectsResolver {
  @FieldResolver(() => ProjectConnection)
  projects(@Root() partner: PartnerEntity, @Args(() => ProjectsArgs) args: ProjectsArgs, @Ctx() ctx: AppContext) {
    return ctx.app.projects.list(partner.id, args.status, args);
  }
}
