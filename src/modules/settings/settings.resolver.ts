import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { AppContext } from '../../graphql/context';
import { requireAdmin, requireViewer } from '../../graphql/guards';
import { toPayload } from '../../graphql/payload';
import { monthOf } from '../../shared/dates';
import { MonthScalar } from '../../shared/scalars';
import { ProgramSettingsPayload, ProgramSettingsType, UpdateProgramSettingsInput } from './settings.type';

@Resolver()
export class SettingsResolver {
  @Query(() => ProgramSettingsType, { description: 'Settings in force in the month (default: the current month).' })
  programSettings(@Ctx() ctx: AppContext, @Arg('month', () => MonthScalar, { nullable: true }) month?: string | null) {
    requireViewer(ctx);
    return ctx.app.settings.inForce(month ?? monthOf(ctx.app.clock.today()));
  }

  @Mutation(() => ProgramSettingsPayload)
  updateProgramSettings(@Arg('input', () => UpdateProgramSettingsInput) input: UpdateProgramSettingsInput, @Ctx() ctx: AppContext) {
    requireAdmin(ctx);
    return toPayload(
      () => ctx.app.settings.update(input),
      (programSettings) => ({ programSettings }),
    );
  }
}
