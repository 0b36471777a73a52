// Migrations in order. Generated with `npm run migration:generate -- <Name>`, reviewed, then listed here.
import { Foundation1795733153564 } from './1795733153564-Foundation';
import { Consumption1795733578182 } from './1795733578182-Consumption';
import { DealsProjectsPresales1795733665704 } from './1795733665704-DealsProjectsPresales';
import { BillingLedgerWithdrawals1795733742049 } from './1795733742049-BillingLedgerWithdrawals';
import { SpecializationMonths1795733825177 } from './1795733825177-SpecializationMonths';
import { AttributionIntervals1795734546695 } from './1795734546695-AttributionIntervals';
import { EventsNumberedAtCommit1796145134409 } from './1796145134409-EventsNumberedAtCommit';
import { ForeignKeys1796146825270 } from './1796146825270-ForeignKeys';
import { Webhooks1796148919631 } from './1796148919631-Webhooks';
import { ConsumptionPartitions1796151405521 } from './1796151405521-ConsumptionPartitions';
import { AuditLog1796151548458 } from './1796151548458-AuditLog';
import { EventsNumberedInCommit1796156597647 } from './1796156597647-EventsNumberedInCommit';
import { NumberEventsCustomPlans1796171496749 } from './1796171496749-NumberEventsCustomPlans';
import { EventsNumberedOnlyWhenProvisional1796189235643 } from './1796189235643-EventsNumberedOnlyWhenProvisional';

export const migrations: Function[] = [Foundation1795733153564, Consumption1795733578182, DealsProjectsPresales1795733665704, BillingLedgerWithdrawals1795733742049, SpecializationMonths1795733825177, AttributionIntervals1795734546695, EventsNumberedAtCommit1796145134409, ForeignKeys1796146825270, Webhooks1796148919631, ConsumptionPartitions1796151405521, AuditLog1796151548458, EventsNumberedInCommit1796156597647, NumberEventsCustomPlans1796171496749, EventsNumberedOnlyWhenProvisional1796189235643];
