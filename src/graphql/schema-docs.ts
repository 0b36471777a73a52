// Descriptions of the schema (SPEC §23 "Described"): the product rules, in the words of docs/product.md, for every
// type, field, argument and enum value. A description written in a decorator (`{ description }`) wins; this
// catalogue fills in the rest, and a few generic rules (payloads, `userErrors`, list filters) cover what is the same
// everywhere. test/schema-docs.test.ts fails on anything left without a description, naming it, and on a catalogue
// key that names nothing (a renamed field). New types: describe them in their decorators (preferred) or here.
import { isEnumType, isInputObjectType, isInterfaceType, isObjectType, type GraphQLSchema } from 'graphql';

/** Keys: `Type`, `Type.field` (also input fields and enum values), `Type.field(arg)`. */
export const SCHEMA_DOCS: Record<string, string> = {
  // ---------- partners (SPEC §3)
  Partner:
    "A business in the partner program: resells the provider's cloud to its customers (subaccounts), " +
    'gets a monthly partner bonus on its invoice and earns rebates.',
  'Partner.id': "The partner's UUID.",
  'Partner.name': 'Legal name, 1–200 characters.',
  'Partner.inn': 'Russian taxpayer number: 10 digits (organisation) or 12 (individual entrepreneur), check digits verified; one partner per INN.',
  'Partner.ownBillingAccountId': "The partner's own billing account: its consumption is billed but earns no bonus (PARTNER_OWN).",
  'Partner.status': 'Where the partner is in its lifecycle.',
  'Partner.statusReason': 'Why the status was set (rejection or revocation reason); null otherwise.',
  'Partner.level': 'Program level, set by ADMIN at approval.',
  'Partner.paymentMode': 'How the partner pays its invoices; set by ADMIN.',
  'Partner.billingThreshold': 'POSTPAYMENT only: the credit threshold set by ADMIN; null when none.',
  'Partner.quitEffectiveOn': 'While QUITTING: the day the partner leaves the program (status QUIT from that day).',
  'Partner.createdAt': 'When the application was made.',
  'Partner.invoice(month)': 'The month, YYYY-MM (Moscow time).',
  'Partner.bonus': "The partner bonus of a month: the invoice discount, absolute and relative to the customers' cost. Zero when nothing is billed.",
  'Partner.bonus(month)': 'The month, YYYY-MM.',
  'Partner.customers': "The partner's subaccounts, oldest first.",
  'Partner.deals': 'Deals the partner registered, oldest first.',
  'Partner.presaleRequests': 'Presale requests the partner submitted, oldest first.',
  'Partner.projects': 'Projects the partner registered, oldest first.',
  'Partner.bankAccount': 'Where BANK_ACCOUNT withdrawals are paid; null until the owner sets it.',
  'Partner.specializations': 'Specializations the provider granted, each with its level and active days (both ends inclusive).',
  'Partner.apiTokens': "The partner's API tokens (never their secrets). ADMIN and PARTNER_OWNER only.",
  'Partner.rebateBalance': 'Rebate money: what can be withdrawn, what is being paid out, what was earned.',
  'Partner.rebateLedger': 'Every rebate ledger entry, in sequence order (append-only; never changed).',
  'Partner.withdrawals': 'Withdrawals of rebate money, oldest first.',
  PartnerStatus: 'Lifecycle of a partner (SPEC §3).',
  'PartnerStatus.PENDING_REVIEW': "Applied; waiting for the provider's review.",
  'PartnerStatus.ACTIVE': 'In the program: registers deals, projects, presale requests and subaccounts.',
  'PartnerStatus.REJECTED': 'The application was rejected (reason in statusReason).',
  'PartnerStatus.QUITTING': 'Gave quit notice: keeps customers and bonuses until quitEffectiveOn, registers nothing new.',
  'PartnerStatus.QUIT': 'Left the program on its quit date; deals ended, subaccounts unlinked, balance withdrawable to a bank only.',
  'PartnerStatus.REVOKED': 'Removed by the provider (reason in statusReason), with the same exit effects as QUIT.',
  PartnerLevel: 'Program level of a partner or of one of its specializations.',
  'PartnerLevel.PARTNER': 'Entry level; a specialization at this level earns no rebate.',
  'PartnerLevel.EXPERT': 'Middle level; specialization rebate 0.035 and co-marketing 0.015 by default.',
  'PartnerLevel.PROFESSIONAL': 'Top level; specialization rebate 0.07 and co-marketing 0.03 by default.',
  PaymentMode: 'How a partner pays its invoices.',
  'PaymentMode.ADVANCE': 'Pays in advance.',
  'PaymentMode.POSTPAYMENT': 'Pays after the month, optionally up to a billing threshold.',
  Specialization: 'A competence the provider grants a partner; each service belongs to at most one.',
  'Specialization.INFRA_DEVOPS': 'Compute, storage, networks, Kubernetes; rebate on quarter-over-quarter growth.',
  'Specialization.DATA_PLATFORM': 'Managed databases and data transfer; rebate on growth.',
  'Specialization.SECURITY': 'Key management and web security; rebate on growth.',
  'Specialization.ML_AI': "AI and machine-learning services; rebate on the whole quarter's consumption.",
  ReviewDecision: "The provider's decision on an application or registration.",
  'ReviewDecision.APPROVE': 'Accept it.',
  'ReviewDecision.REJECT': 'Refuse it; a reason is required.',
  BankAccount: 'Russian bank details for BANK_ACCOUNT withdrawals.',
  'BankAccount.bic': 'Bank identification code, 9 digits.',
  'BankAccount.accountNumber': 'Account number, 20 digits, passing the Bank of Russia control key.',
  'BankAccount.bankName': "The bank's name, if given.",
  PartnerSpecialization: 'One specialization of a partner over a span of days.',
  'PartnerSpecialization.specialization': 'Which specialization.',
  'PartnerSpecialization.level': "Its level; the level in force on the last active day of a quarter sets that quarter's rates.",
  'PartnerSpecialization.activeFrom': 'First active day (inclusive).',
  'PartnerSpecialization.activeTo': 'Last active day (inclusive); null while open-ended.',

  // ---------- customers (SPEC §4)
  Customer: "A subaccount: a customer's billing account served by a partner. Its consumption is the partner's on the days it is linked.",
  'Customer.id': "The subaccount's UUID.",
  'Customer.name': "The customer's name.",
  'Customer.inn': "The customer's taxpayer number (checked like a partner's).",
  'Customer.billingAccountId': "The customer's billing account: at most one partner's at a time, never a partner's own.",
  'Customer.status': 'Where the subaccount is in its lifecycle.',
  'Customer.linkedAt': 'When the customer accepted the invitation and the link started; null before.',
  'Customer.createdAt': 'When the partner created the subaccount.',
  'Customer.partner': 'The partner serving this customer.',
  'Customer.consumption(month)': 'The month, YYYY-MM.',
  'Customer.activeDeal': "The partner's ACTIVE deal covering this customer's INN today; null when none.",
  CustomerStatus: 'Lifecycle of a subaccount (SPEC §4).',
  'CustomerStatus.ACCEPTANCE_REQUIRED': 'Created; waiting for the customer to accept the invitation. Not linked yet.',
  'CustomerStatus.ACTIVE': "Linked: consumption from the link day on is the partner's.",
  'CustomerStatus.SUSPENDED': 'Suspended by the partner; still linked.',
  'CustomerStatus.INACTIVE': 'Deleted (or unlinked when the partner left): the link ended that day.',

  // ---------- services and consumption (SPEC §5)
  Service: "A cloud service in the provider's catalogue.",
  'Service.id': 'Stable id, e.g. "compute".',
  'Service.name': 'Display name.',
  'Service.bonusEligible': 'False: consumption of this service earns no bonus (EXCLUDED_SERVICE). The only place exclusions live.',
  'Service.specialization': 'The specialization whose rebates count this service; null for none.',
  ServiceInput: 'A service to add or change (ADMIN).',
  'ServiceInput.id': 'The service id; an existing id updates that service.',
  'ServiceInput.name': 'Display name, 1–200 characters.',
  'ServiceInput.bonusEligible': 'Whether its consumption earns the partner bonus.',
  'ServiceInput.specialization': 'Its specialization; omitted keeps the current one, null clears it.',
  'ServiceInput.aliases': "Ids and names of the service in the provider's export; omitted keeps the current ones.",
  ConsumptionRecordInput: "One day of one service's use in one billing account, cloud and folder.",
  'ConsumptionRecordInput.billingAccountId': 'The billing account that consumed.',
  'ConsumptionRecordInput.date': 'The day (Moscow); not after today and not in a closed month.',
  'ConsumptionRecordInput.serviceId': 'The service, by id or alias.',
  'ConsumptionRecordInput.cloudId': "The cloud (a project's CLOUD scope matches it).",
  'ConsumptionRecordInput.folderId': "The folder (a project's FOLDER scope matches it).",
  'ConsumptionRecordInput.cost': 'Cost in roubles, ≥ 0, up to 6 fraction digits.',
  'ConsumptionRecordInput.grantCredit': 'Part of the cost paid by a grant, 0 ≤ grant ≤ cost (default 0); it earns no bonus.',
  RecordConsumptionInput: "A batch of consumption from the provider's billing feed.",
  'RecordConsumptionInput.batchId': 'Idempotency key: the same batch again returns duplicate: true and stores nothing.',
  'RecordConsumptionInput.records': 'Up to 10,000 records; one invalid record rejects the whole batch.',
  RecordConsumptionPayload: 'What recordConsumption stored.',
  'RecordConsumptionPayload.accepted': 'How many records were stored (0 for a duplicate or a rejected batch).',
  'RecordConsumptionPayload.duplicate': 'True when this batchId was already stored with the same records.',

  // ---------- deals (SPEC §6)
  Deal: "A registered deal for a new customer: while ACTIVE, the customer's eligible consumption earns the deal's bonus rate on top of the base rate.",
  'Deal.id': "The deal's UUID.",
  'Deal.customerInn': "The new customer's INN; at most one open deal per INN across all partners.",
  'Deal.customerName': "The customer's name.",
  'Deal.targetMonthlyConsumption': 'Expected monthly consumption, at least 30000.00 (program setting).',
  'Deal.procurement': 'A 44-FZ/223-FZ tender: the deal ends the day after contractEndsOn.',
  'Deal.contractEndsOn': 'Procurement deals: the last day of the contract.',
  'Deal.description': 'What the deal is about, up to 4000 characters.',
  'Deal.status': 'Where the deal is in its lifecycle.',
  'Deal.statusReason': 'Why it was rejected; null otherwise.',
  'Deal.bonusRate': 'Approved uplift on top of the base rate (0 < rate ≤ 0.15); null before approval.',
  'Deal.approvedAt': 'When the provider approved it.',
  'Deal.linkDeadline': "Approval date + 60 days: a subaccount with the deal's INN must be linked by then.",
  'Deal.activatedOn': 'First day with the uplift: the day a subaccount with the INN was linked.',
  'Deal.endedOn': 'First day without the uplift.',
  'Deal.partner': 'The partner that registered it.',
  'Deal.customer': "The partner's linked subaccount with the deal's INN (else its most recent one); null when none.",
  'Deal.submittedAt': 'When the partner registered it.',
  DealStatus: 'Lifecycle of a deal (SPEC §6).',
  'DealStatus.SUBMITTED': "Registered; waiting for the provider's review.",
  'DealStatus.APPROVED': 'Approved with a bonus rate; waiting for a subaccount with the INN to be linked.',
  'DealStatus.REJECTED': 'Refused (reason in statusReason).',
  'DealStatus.ACTIVE': "Covering the partner's linked subaccounts with the INN: their eligible consumption gets the uplift.",
  'DealStatus.EXPIRED': 'No subaccount was linked by linkDeadline.',
  'DealStatus.ENDED': 'Over: the last covered subaccount was unlinked, the partner left, or the contract ended.',
  RegisterDealInput: 'A deal to register (ACTIVE partner).',
  'RegisterDealInput.partnerId': 'The registering partner.',
  'RegisterDealInput.customerInn': "The customer's INN: no billing account known with it may have consumption (NOT_NEW_CUSTOMER).",
  'RegisterDealInput.customerName': "The customer's name.",
  'RegisterDealInput.targetMonthlyConsumption': 'Expected monthly consumption, at least the program minimum (TARGET_TOO_LOW).',
  'RegisterDealInput.procurement': 'A public tender (44-FZ/223-FZ); then contractEndsOn is required. Default false.',
  'RegisterDealInput.contractEndsOn': 'Procurement deals: last contract day, today or later.',
  'RegisterDealInput.description': 'What the deal is about, up to 4000 characters.',
  ReviewDealInput: "The provider's decision on a SUBMITTED deal.",
  'ReviewDealInput.dealId': 'The deal.',
  'ReviewDealInput.decision': 'Approve or reject.',
  'ReviewDealInput.bonusRate': 'With APPROVE: the uplift, 0 < rate ≤ the maximum deal rate (RATE_OUT_OF_RANGE).',
  'ReviewDealInput.reason': 'With REJECT: why (required).',

  // ---------- projects (SPEC §7)
  Project: "A registered project of a direct customer in one cloud or folder: earns the partner a monthly rebate on the scope's consumption for 12 months.",
  'Project.id': "The project's UUID.",
  'Project.customerInn': "The direct customer's INN.",
  'Project.customerName': "The direct customer's name.",
  'Project.customerBillingAccountId': "The customer's billing account: linked to no partner and no partner's own.",
  'Project.scope': 'Whether scopeId names a cloud or a folder.',
  'Project.scopeId': 'The cloud or folder id; it had no consumption when the project was registered.',
  'Project.targetMonthlyConsumption': 'Expected monthly consumption (any positive amount).',
  'Project.description': 'What the project is about.',
  'Project.status': 'Where the project is in its lifecycle.',
  'Project.statusReason': 'Why it was rejected; null otherwise.',
  'Project.rebateRate': 'Approved rebate rate (0 < rate ≤ 0.15); null before approval.',
  'Project.rebateFrom': 'First rebate month: the month after approval.',
  'Project.rebateTo': 'Last rebate month: rebateFrom + 11 months; its close makes the project COMPLETED.',
  'Project.partner': 'The partner that registered it.',
  'Project.submittedAt': 'When the partner registered it.',
  ProjectScope: "What a project's scopeId names.",
  'ProjectScope.CLOUD': 'A cloud: records with that cloudId count.',
  'ProjectScope.FOLDER': 'A folder: records with that folderId count.',
  ProjectStatus: 'Lifecycle of a project (SPEC §7).',
  'ProjectStatus.SUBMITTED': "Registered; waiting for the provider's review.",
  'ProjectStatus.APPROVED': 'Approved: each month of the window with scope consumption ≥ 30000 accrues a rebate.',
  'ProjectStatus.REJECTED': 'Refused, or the partner left before review.',
  'ProjectStatus.COMPLETED': 'The rebate window is over.',
  RegisterProjectInput: 'A project to register (ACTIVE partner).',
  'RegisterProjectInput.partnerId': 'The registering partner.',
  'RegisterProjectInput.customerInn': "The direct customer's INN.",
  'RegisterProjectInput.customerName': "The direct customer's name.",
  'RegisterProjectInput.customerBillingAccountId': "The customer's billing account; must be direct (NOT_DIRECT_CUSTOMER).",
  'RegisterProjectInput.scope': 'CLOUD or FOLDER.',
  'RegisterProjectInput.scopeId': 'The cloud or folder; no consumption on or before today (SCOPE_NOT_EMPTY), one open project per scope.',
  'RegisterProjectInput.targetMonthlyConsumption': 'Expected monthly consumption, > 0.',
  'RegisterProjectInput.description': 'What the project is about, up to 4000 characters.',
  ReviewProjectInput: "The provider's decision on a SUBMITTED project.",
  'ReviewProjectInput.projectId': 'The project.',
  'ReviewProjectInput.decision': 'Approve or reject.',
  'ReviewProjectInput.rebateRate': 'With APPROVE: 0 < rate ≤ the maximum project rate (RATE_OUT_OF_RANGE).',
  'ReviewProjectInput.reason': 'With REJECT: why (required).',

  // ---------- presale requests (SPEC §8)
  PresaleRequest: "A partner's request for the provider's experts to help with a customer.",
  'PresaleRequest.id': "The request's UUID.",
  'PresaleRequest.customerName': "The customer's name.",
  'PresaleRequest.customerInn': "The customer's INN, if given.",
  'PresaleRequest.products': 'Services the customer is interested in (free text).',
  'PresaleRequest.description': 'What help is needed.',
  'PresaleRequest.status': 'Where the request is in its lifecycle.',
  'PresaleRequest.statusReason': 'Why it was declined; null otherwise.',
  'PresaleRequest.assignee': "The provider's expert working on it (set with IN_PROGRESS).",
  'PresaleRequest.createdAt': 'When it was submitted.',
  'PresaleRequest.respondBy': 'Creation date + 3 business days (Mon–Fri).',
  'PresaleRequest.partner': 'The partner that asked.',
  'PresaleRequest.deal': "The partner's deal it is about, if any.",
  'PresaleRequest.project': "The partner's project it is about, if any.",
  'PresaleRequest.overdue': 'True while the request is NEW and today is after respondBy.',
  PresaleStatus: 'Lifecycle of a presale request (SPEC §8).',
  'PresaleStatus.NEW': 'Submitted; nobody assigned yet.',
  'PresaleStatus.IN_PROGRESS': 'An expert (assignee) is on it.',
  'PresaleStatus.COMPLETED': 'Done.',
  'PresaleStatus.DECLINED': 'The provider declined it (reason required).',
  'PresaleStatus.CANCELLED': 'The partner cancelled it while NEW, or the partner left.',
  SubmitPresaleRequestInput: 'A presale request to submit (ACTIVE partner).',
  'SubmitPresaleRequestInput.partnerId': 'The asking partner.',
  'SubmitPresaleRequestInput.customerName': "The customer's name.",
  'SubmitPresaleRequestInput.customerInn': "The customer's INN, optional (checked when given).",
  'SubmitPresaleRequestInput.dealId': "One of the partner's own deals it is about, optional.",
  'SubmitPresaleRequestInput.projectId': "One of the partner's own projects it is about, optional.",
  'SubmitPresaleRequestInput.products': 'Service names, free text, up to 100.',
  'SubmitPresaleRequestInput.description': 'What help is needed, up to 4000 characters.',
  UpdatePresaleRequestInput: 'A status change of a presale request (ADMIN; the partner may only cancel while NEW).',
  'UpdatePresaleRequestInput.presaleRequestId': 'The request.',
  'UpdatePresaleRequestInput.status': 'The new status.',
  'UpdatePresaleRequestInput.assignee': 'With IN_PROGRESS: the expert (required).',
  'UpdatePresaleRequestInput.reason': 'With DECLINED: why (required).',

  // ---------- billing (SPEC §10)
  Invoice:
    "A partner's monthly invoice: its customers' and own consumption, minus the partner bonus and BONUS " +
    'withdrawals. Final once the month is closed; before that a month-to-date preview.',
  'Invoice.month': 'The billed month.',
  'Invoice.isFinal': 'True once closeBillingMonth finalized it; false for the preview of an open month.',
  'Invoice.closedAt': 'When the month was closed; null for a preview.',
  'Invoice.lines': 'One line per billing account × service × rates in force.',
  'Invoice.totalCost': 'Σ line cost.',
  'Invoice.grantCredits': 'Σ line grant credit.',
  'Invoice.eligibleAmount': 'Σ line eligible amount.',
  'Invoice.discount': 'Σ line discount: the partner bonus.',
  'Invoice.bonusWithdrawalsApplied': 'BONUS withdrawals absorbed: min(carried in + BONUS withdrawn this month, Σ payable of customer lines).',
  'Invoice.bonusCarriedOver': 'BONUS money not absorbed, carried into the next month.',
  'Invoice.payable': 'Σ line payable − bonusWithdrawalsApplied: what the partner pays.',
  'Invoice.partner': 'The invoiced partner.',
  InvoiceLine: 'Consumption of one billing account and service at one pair of rates, and the money it makes.',
  'InvoiceLine.billingAccountId': "The customer's (or the partner's own) billing account.",
  'InvoiceLine.serviceId': "The service's id (the same as service.id).",
  'InvoiceLine.cost': 'round(Σ cost of the records), to kopecks half up.',
  'InvoiceLine.grantCredit': 'round(Σ grant credit of the records).',
  'InvoiceLine.eligible': 'cost − grantCredit, or 0 with an exclusion.',
  'InvoiceLine.bonusRate': 'Base rate + dealBonusRate; "0" with an exclusion.',
  'InvoiceLine.dealBonusRate': 'The ACTIVE deal\'s rate on these days, else "0".',
  'InvoiceLine.discount': 'round(eligible × bonusRate).',
  'InvoiceLine.payable': 'cost − grantCredit − discount; never changes once final.',
  'InvoiceLine.exclusion': 'Why the line earns no bonus; null when it does.',
  LineExclusion: 'Why an invoice line earns no bonus.',
  'LineExclusion.PARTNER_OWN': "The partner's own billing account.",
  'LineExclusion.EXCLUDED_SERVICE': 'A service with bonusEligible false.',
  PartnerBonus: 'The partner bonus of a month: the discount on its invoice.',
  'PartnerBonus.month': 'The month.',
  'PartnerBonus.absolute': 'The invoice discount.',
  'PartnerBonus.relative': 'absolute ÷ Σ cost of customer lines (own excluded), half up to 4 digits; "0" without cost.',
  'PartnerBonus.eligibleAmount': "Σ eligible of the invoice's lines.",
  CloseBillingMonthInput: 'The month to close.',
  'CloseBillingMonthInput.month': 'It must have ended, and the month before must be closed (unless none is).',
  CloseBillingMonthPayload: 'What closeBillingMonth did; closing a closed month again returns the first result.',
  'CloseBillingMonthPayload.month': 'The closed month; null with userErrors.',
  'CloseBillingMonthPayload.invoicesFinalized': 'How many invoices became final.',
  'CloseBillingMonthPayload.rebateEntriesCreated': 'How many rebate ledger entries the close accrued.',

  // ---------- rebates and withdrawals (SPEC §11, §12)
  RebateBalance: "A partner's rebate money.",
  RebateLedgerEntry: "One append-only entry of a partner's rebate ledger: a signed amount and the balance after it.",
  'RebateLedgerEntry.id': "The entry's UUID.",
  'RebateLedgerEntry.kind': 'What moved the money.',
  'RebateLedgerEntry.balanceAfter': "The partner's balance after this entry (never negative).",
  'RebateLedgerEntry.specialization': 'SPECIALIZATION_REBATE: which specialization.',
  'RebateLedgerEntry.description': 'Human-readable explanation of the entry.',
  'RebateLedgerEntry.createdAt': 'When the entry was written.',
  'RebateLedgerEntry.partner': 'The partner whose ledger it is.',
  'RebateLedgerEntry.project': 'PROJECT_REBATE: the project that earned it.',
  'RebateLedgerEntry.withdrawal': 'WITHDRAWAL and WITHDRAWAL_REVERSAL: the withdrawal.',
  LedgerEntryKind: 'What moved money on a rebate ledger (SPEC §11).',
  'LedgerEntryKind.PROJECT_REBATE': "Accrual for a project's month: round(S × rebateRate) when S ≥ 30000.",
  'LedgerEntryKind.SPECIALIZATION_REBATE': "Accrual for a specialization's quarter.",
  'LedgerEntryKind.WITHDRAWAL': 'Money withdrawn (negative), written when requested.',
  'LedgerEntryKind.WITHDRAWAL_REVERSAL': 'Money returned: a rejected bank payout, or unused BONUS money of a partner that left.',
  'LedgerEntryKind.ADJUSTMENT': 'A correction by the provider, either sign, with a reason.',
  AdjustRebateBalanceInput: "A correction of a partner's balance (ADMIN).",
  'AdjustRebateBalanceInput.partnerId': 'The partner.',
  'AdjustRebateBalanceInput.amount': 'Signed amount, 2 fraction digits at most; the balance may not go below 0.',
  'AdjustRebateBalanceInput.reason': "Why (required; becomes the entry's description).",
  RebateLedgerEntryPayload: 'What adjustRebateBalance wrote.',
  'RebateLedgerEntryPayload.entry': 'The new ledger entry; null with userErrors.',
  Withdrawal: 'Rebate money taken off the balance: onto the invoice (BONUS) or paid to the bank account.',
  'Withdrawal.id': "The withdrawal's UUID.",
  'Withdrawal.amount': 'The amount, > 0.',
  'Withdrawal.destination': 'Where the money goes.',
  'Withdrawal.status': 'Where the withdrawal is in its lifecycle.',
  'Withdrawal.statusReason': 'Why a payout was rejected; null otherwise.',
  'Withdrawal.paymentReference': 'The bank payment reference of a PAID payout.',
  'Withdrawal.createdAt': 'When it was requested (and the WITHDRAWAL entry written).',
  'Withdrawal.partner': 'The partner.',
  'Withdrawal.bankAccount': 'BANK_ACCOUNT: the bank details as they were when requested.',
  WithdrawalDestination: 'Where withdrawn rebate money goes.',
  'WithdrawalDestination.BONUS': "Onto the partner's invoices: reduces what it pays this month (and carries over).",
  'WithdrawalDestination.BANK_ACCOUNT': "Paid to the partner's bank account by the provider.",
  WithdrawalStatus: 'Lifecycle of a withdrawal (SPEC §12).',
  'WithdrawalStatus.APPLIED': "BONUS: applied to the current month's invoice.",
  'WithdrawalStatus.PENDING': 'BANK_ACCOUNT: waiting for the provider to pay.',
  'WithdrawalStatus.PAID': 'Paid (paymentReference set).',
  'WithdrawalStatus.REJECTED': 'The payout was refused; a WITHDRAWAL_REVERSAL returned the money.',
  WithdrawalSettlement: 'How the provider settles a PENDING payout.',
  'WithdrawalSettlement.PAID': 'Paid; paymentReference required.',
  'WithdrawalSettlement.REJECTED': 'Refused; reason required, the money returns to the balance.',
  WithdrawRebateInput: 'A withdrawal request (PARTNER_OWNER, PARTNER_ACCOUNTANT, or ADMIN on behalf).',
  'WithdrawRebateInput.partnerId': 'The partner.',
  'WithdrawRebateInput.amount': 'Amount > 0, 2 fraction digits at most, ≤ available (INSUFFICIENT_BALANCE).',
  'WithdrawRebateInput.destination': 'BONUS (partner ACTIVE or QUITTING) or BANK_ACCOUNT (bank details on file).',
  SettleWithdrawalInput: "The provider's settlement of a PENDING payout.",
  'SettleWithdrawalInput.withdrawalId': 'The withdrawal.',
  'SettleWithdrawalInput.decision': 'PAID or REJECTED.',
  'SettleWithdrawalInput.paymentReference': 'With PAID: the bank reference (required).',
  'SettleWithdrawalInput.reason': 'With REJECTED: why (required).',

  // ---------- access (SPEC §14)
  ApiToken: 'A bearer token (its secret is shown once, stored only as a hash).',
  'ApiToken.id': "The token's UUID (Viewer.id when it is used).",
  'ApiToken.name': 'A label for the token.',
  'ApiToken.role': 'What the token may do.',
  'ApiToken.partnerId': 'The partner a partner-role token acts for; null for ADMIN tokens.',
  'ApiToken.createdAt': 'When it was created.',
  'ApiToken.revokedAt': 'When it was revoked; null while valid.',
  Role: 'What a token may do (SPEC §14).',
  'Role.ADMIN': 'The provider: everything.',
  'Role.PARTNER_OWNER': 'Everything about its own partner that is not ADMIN-only, including its tokens.',
  'Role.PARTNER_ACCOUNTANT': 'Reads its own partner and makes withdrawals.',
  'Role.PARTNER_VIEWER': 'Reads its own partner.',
  'Role.INTEGRATOR': 'Reads its own partner and subscribes to its events.',
  Viewer: 'Who is asking: the token of this request.',
  'Viewer.role': "The token's role.",
  'Viewer.partner': 'The partner a partner-role token acts for; null for ADMIN.',
  CreateApiTokenInput: "A token to create; never with more rights than the creator's.",
  'CreateApiTokenInput.role': 'Its role.',
  'CreateApiTokenInput.partnerId': 'The partner it acts for (required for partner roles; a PARTNER_OWNER only its own).',
  'CreateApiTokenInput.name': 'A label, 1–200 characters.',
  CreateApiTokenPayload: 'The new token.',
  'CreateApiTokenPayload.apiToken': "The token's record; null with userErrors.",
  RevokeApiTokenInput: 'The token to revoke.',
  'RevokeApiTokenInput.id': 'Its id; it stops working at once, also on open WebSocket connections.',

  // ---------- settings and clock (SPEC §1, §15)
  ProgramSettings: "The program's numbers from a month on; every rule reads the settings of the month of the event it checks.",
  'ProgramSettings.effectiveFrom': 'First month these settings apply to.',
  'ProgramSettings.baseBonusRate': 'Partner bonus rate on eligible consumption (default 0.1).',
  'ProgramSettings.maxDealBonusRate': 'Highest deal uplift the provider may approve (default 0.15).',
  'ProgramSettings.maxProjectRebateRate': 'Highest project rebate rate (default 0.15).',
  'ProgramSettings.minDealTargetConsumption': 'Lowest target monthly consumption of a deal (default 30000.00).',
  'ProgramSettings.minProjectMonthlyConsumption': 'Scope consumption a month needs to earn a project rebate (default 30000.00).',
  'ProgramSettings.dealLinkWindowDays': "Days after approval to link a deal's customer (default 60).",
  'ProgramSettings.projectRebateMonths': "Length of a project's rebate window in months (default 12).",
  'ProgramSettings.quitNoticeDays': 'Least notice before quitting, in calendar days (default 30).',
  'ProgramSettings.presaleResponseBusinessDays': 'Business days the provider has to answer a presale request (default 3).',
  'ProgramSettings.specializationRates': 'Rebate and co-marketing rates per level.',
  SpecializationRate: 'Specialization rates of one level.',
  'SpecializationRate.level': 'The level.',
  'SpecializationRate.rebateRate': "Share of the quarter's base paid as SPECIALIZATION_REBATE.",
  'SpecializationRate.coMarketingRate': 'Share of the base added to the co-marketing budget (not withdrawable).',
  SpecializationRateInput: 'Specialization rates of one level.',
  'SpecializationRateInput.level': 'The level.',
  'SpecializationRateInput.rebateRate': 'Rebate rate, 0–1.',
  'SpecializationRateInput.coMarketingRate': 'Co-marketing rate, 0–1.',
  UpdateProgramSettingsInput: 'New settings from a month on (ADMIN; the current month or later, never retroactive). Omitted fields keep their values.',
  'UpdateProgramSettingsInput.effectiveFrom': 'First month the new settings apply to.',
  'UpdateProgramSettingsInput.baseBonusRate': 'Partner bonus rate.',
  'UpdateProgramSettingsInput.maxDealBonusRate': 'Highest deal uplift.',
  'UpdateProgramSettingsInput.maxProjectRebateRate': 'Highest project rebate rate.',
  'UpdateProgramSettingsInput.minDealTargetConsumption': 'Lowest deal target.',
  'UpdateProgramSettingsInput.minProjectMonthlyConsumption': 'Monthly scope consumption a project rebate needs.',
  'UpdateProgramSettingsInput.dealLinkWindowDays': "Days to link a deal's customer.",
  'UpdateProgramSettingsInput.projectRebateMonths': "Months of a project's rebate window.",
  'UpdateProgramSettingsInput.quitNoticeDays': 'Days of quit notice.',
  'UpdateProgramSettingsInput.presaleResponseBusinessDays': 'Business days to answer a presale request.',
  'UpdateProgramSettingsInput.specializationRates': 'Rates per level (every level given replaces its rates).',
  ProgramSettingsPayload: 'The settings now in force from effectiveFrom.',
  'ProgramSettingsPayload.programSettings': 'The stored settings; null with userErrors.',
  AdvanceClockInput: 'Where to move the manual clock.',
  'AdvanceClockInput.to': 'The new instant; not before the current one (CLOCK_BACKWARDS).',
  AdvanceClockPayload: 'The clock after the move; every transition that came due was applied first.',
  'AdvanceClockPayload.now': 'The new server time; null with userErrors.',

  // ---------- partner mutations' inputs (SPEC §3)
  ApplyForPartnerStatusInput: 'An application to join the program (no token needed).',
  'ApplyForPartnerStatusInput.name': 'Legal name, 1–200 characters.',
  'ApplyForPartnerStatusInput.inn': 'Taxpayer number, 10 or 12 digits with valid check digits (INVALID_INN); one partner per INN.',
  'ApplyForPartnerStatusInput.ownBillingAccountId': "The partner's own billing account; not another partner's or a linked subaccount.",
  'ApplyForPartnerStatusInput.paymentMode': 'ADVANCE or POSTPAYMENT.',
  'ApplyForPartnerStatusInput.contactEmail': 'Where the provider writes about the application.',
  ApplyForPartnerStatusPayload: 'The new partner and its owner token.',
  ReviewPartnerApplicationInput: "The provider's decision on a PENDING_REVIEW application.",
  'ReviewPartnerApplicationInput.partnerId': 'The applicant.',
  'ReviewPartnerApplicationInput.decision': 'Approve (ACTIVE) or reject (REJECTED).',
  'ReviewPartnerApplicationInput.reason': 'With REJECT: why (required).',
  'ReviewPartnerApplicationInput.level': 'With APPROVE: the level (default PARTNER).',
  UpdatePartnerProfileInput: 'Profile changes; omitted fields stay as they are.',
  'UpdatePartnerProfileInput.partnerId': 'The partner.',
  'UpdatePartnerProfileInput.name': 'New name (PARTNER_OWNER or ADMIN).',
  'UpdatePartnerProfileInput.paymentMode': 'New payment mode (ADMIN only).',
  'UpdatePartnerProfileInput.billingThreshold': 'POSTPAYMENT credit threshold, ≥ 0 (ADMIN only).',
  'UpdatePartnerProfileInput.bankAccount': 'New bank details (checked: INVALID_BANK_ACCOUNT).',
  BankAccountInput: 'Russian bank details.',
  'BankAccountInput.bic': 'BIC, 9 digits.',
  'BankAccountInput.accountNumber': 'Account number, 20 digits, with a valid control key for the BIC.',
  'BankAccountInput.bankName': "The bank's name, optional.",
  GiveQuitNoticeInput: 'Notice of leaving the program (PARTNER_OWNER, from ACTIVE).',
  'GiveQuitNoticeInput.partnerId': 'The partner.',
  'GiveQuitNoticeInput.effectiveOn': 'The leaving day: at least 30 calendar days from today (NOTICE_TOO_SHORT).',
  WithdrawQuitNoticeInput: 'Withdrawing a quit notice: QUITTING back to ACTIVE.',
  'WithdrawQuitNoticeInput.partnerId': 'The partner.',
  RevokePartnerStatusInput: 'Removal of a partner by the provider (from ACTIVE or QUITTING), effective today.',
  'RevokePartnerStatusInput.partnerId': 'The partner.',
  'RevokePartnerStatusInput.reason': 'Why (required).',
  SetPartnerSpecializationInput: 'A specialization granted to a partner over a span of days (ADMIN).',
  'SetPartnerSpecializationInput.partnerId': 'The partner.',
  'SetPartnerSpecializationInput.specialization': 'Which specialization.',
  'SetPartnerSpecializationInput.level': 'Its level.',
  'SetPartnerSpecializationInput.activeFrom': 'First active day (inclusive).',
  'SetPartnerSpecializationInput.activeTo': 'Last active day (inclusive); omit for open-ended.',

  // ---------- customers' inputs
  CreateSubaccountInput: 'A subaccount to create (ACTIVE partner); the customer must then accept.',
  'CreateSubaccountInput.partnerId': 'The partner.',
  'CreateSubaccountInput.name': "The customer's name.",
  'CreateSubaccountInput.inn': "The customer's INN.",
  'CreateSubaccountInput.billingAccountId': "The customer's billing account; not linked to anyone and no partner's own (ALREADY_LINKED).",
  CustomerIdInput: 'The subaccount to act on.',
  'CustomerIdInput.customerId': 'Its id.',
  UserError: 'A business-rule failure (SPEC §9): the mutation changed nothing.',
  'UserError.message': 'What went wrong, for people.',

  // ---------- events (SPEC §13)
  ActivityEvent: 'A status change of a partner or one of its objects, from the event table.',
  'ActivityEvent.sequence': 'Global, strictly increasing position in the event stream (a decimal integer as a string); the resume cursor.',
  'ActivityEvent.partnerId': 'The partner it concerns.',
  'ActivityEvent.type': 'What kind of object changed.',
  'ActivityEvent.status': 'The new status (for INVOICE_FINALIZED: FINAL); null when the event has none.',
  'ActivityEvent.occurredAt': 'When it took effect (a scheduled transition: its due date).',
  ActivityType: 'What kind of object an activity event is about.',
  'ActivityType.PARTNER_STATUS_CHANGED': "The partner's status changed.",
  'ActivityType.CUSTOMER_STATUS_CHANGED': "A subaccount's status changed.",
  'ActivityType.DEAL_STATUS_CHANGED': "A deal's status changed.",
  'ActivityType.PROJECT_STATUS_CHANGED': "A project's status changed.",
  'ActivityType.PRESALE_STATUS_CHANGED': "A presale request's status changed.",
  'ActivityType.WITHDRAWAL_STATUS_CHANGED': "A withdrawal's status changed.",
  'ActivityType.INVOICE_FINALIZED': 'A month was closed: the partner\'s invoice is final (entityId "<partnerId>:<YYYY-MM>").',
  Subscription:
    'Live streams from the event table over WebSocket (graphql-transport-ws) or Server-Sent Events on /graphql: ' +
    'replay with `after`, then live, in sequence order, none skipped, none twice.',
  'Subscription.rebateAccruals(after)':
    'Resume cursor: replay every entry with a sequence greater than this ("0" = the whole ' + 'history), then go live. Omit for new entries only.',
  'Subscription.rebateAccruals(partnerId)': 'ADMIN: one partner, or null/omitted for every partner. Partner tokens: omit it (their own partner).',
  'Subscription.partnerActivity(after)': 'Resume cursor, as for rebateAccruals.',
  'Subscription.partnerActivity(partnerId)': 'As for rebateAccruals.',

  // ---------- root fields
  Query: "Everything a token may read. Another partner's object by id reads as null with FORBIDDEN.",
  'Query.viewer': 'Who is asking (the token of this request).',
  'Query.customer': 'A subaccount by id.',
  'Query.deal': 'A deal by id.',
  'Query.presaleRequest': 'A presale request by id.',
  'Query.presaleRequests': "Work queue: every presale request for ADMIN, the viewer's own partner's for partner tokens.",
  'Query.project': 'A project by id.',
  'Query.projects': "Work queue: every project for ADMIN, the viewer's own partner's for partner tokens.",
  'Query.services': 'The service catalogue, by id.',
  'Query.partner': 'A partner by id (a partner token reads only its own).',
  'Query.withdrawal': 'A withdrawal by id.',
  'Query.programSettings(month)': 'The month whose settings to read (default: the current month).',
  Mutation: 'Every change. Business-rule failures come back as userErrors (HTTP 200) and change nothing.',
  'Mutation.createApiToken': "Creates a token (ADMIN, or PARTNER_OWNER for its partner's roles); the secret is in the answer only.",
  'Mutation.revokeApiToken': 'Revokes a token at once (ADMIN, or the owner of its partner).',
  'Mutation.closeBillingMonth':
    'Closes a month (ADMIN): finalizes every invoice, stores specialization bases, accrues project ' +
    'and (quarter end) specialization rebates, in one transaction.',
  'Mutation.advanceClock': 'Moves the manual clock forward (ADMIN, CLOCK=manual) and applies every transition that came due.',
  'Mutation.recordConsumption': 'Stores a consumption batch from the billing feed (ADMIN); atomic and idempotent by batchId.',
  'Mutation.createSubaccount': "Creates a subaccount waiting for the customer's acceptance.",
  'Mutation.acceptSubaccountInvitation': 'The customer accepts (ADMIN stands for it): ACTIVE, the link starts today.',
  'Mutation.suspendSubaccount': 'ACTIVE → SUSPENDED (still linked).',
  'Mutation.resumeSubaccount': 'SUSPENDED → ACTIVE.',
  'Mutation.deleteSubaccount': '→ INACTIVE: the link ends today.',
  'Mutation.registerDeal': 'Registers a deal for a new customer (SUBMITTED).',
  'Mutation.reviewDeal': 'Approves (with a bonus rate) or rejects a SUBMITTED deal (ADMIN).',
  'Mutation.submitPresaleRequest': "Asks the provider's experts for help (NEW).",
  'Mutation.updatePresaleRequest': 'Moves a presale request on (ADMIN; the partner may cancel while NEW).',
  'Mutation.registerProject': 'Registers a project of a direct customer (SUBMITTED).',
  'Mutation.reviewProject': 'Approves (with a rebate rate) or rejects a SUBMITTED project (ADMIN).',
  'Mutation.upsertService': 'Adds or changes a catalogue service (ADMIN).',
  'Mutation.applyForPartnerStatus': 'Applies to join the program (no token needed): PENDING_REVIEW and an owner token, shown once.',
  'Mutation.reviewPartnerApplication': 'Approves (ACTIVE) or rejects an application (ADMIN).',
  'Mutation.updatePartnerProfile': 'Changes name and bank account (owner), payment mode and threshold (ADMIN).',
  'Mutation.giveQuitNotice': 'Gives notice of leaving (owner): QUITTING until effectiveOn.',
  'Mutation.withdrawQuitNotice': 'Takes a quit notice back: ACTIVE again.',
  'Mutation.revokePartnerStatus': 'Removes a partner from the program today (ADMIN).',
  'Mutation.setPartnerSpecialization': 'Grants or changes a specialization (ADMIN).',
  'Mutation.adjustRebateBalance': 'Writes an ADJUSTMENT ledger entry (ADMIN).',
  'Mutation.withdrawRebate': 'Withdraws rebate money to the invoice or the bank; idempotent by idempotencyKey.',
  'Mutation.settleWithdrawal': 'Marks a PENDING payout PAID or REJECTED (ADMIN).',
  'Mutation.updateProgramSettings': "Changes the program's numbers from a month on (ADMIN).",
};

const PAYLOAD_ERRORS = 'Business-rule failures (SPEC §9); empty when the mutation succeeded. When not empty, nothing was changed.';

/** Descriptions that are the same rule wherever they appear. */
function genericDescription(schema: GraphQLSchema, typeName: string, field?: string, arg?: string): string | undefined {
  const root = typeName === 'Query' || typeName === 'Subscription';
  if (arg === 'status') return 'Only items in this status; omit for all.';
  if (arg === 'partnerId' && root) return "ADMIN: only this partner's items (omit for every partner). A partner token may give only its own partner's id.";
  if (arg === 'id' && root) return "The object's id.";
  if (arg === 'input' && typeName === 'Mutation') return 'What to change; see the input type.';
  if (arg) return undefined;
  if (field === 'userErrors') return PAYLOAD_ERRORS;
  if (typeName.endsWith('Payload') && field) return `The ${field} after the change; null when userErrors is not empty.`;
  if (typeName.endsWith('Payload')) {
    const mutations = Object.values(schema.getMutationType()?.getFields() ?? {}).filter((f) => String(f.type).replace(/!$/, '') === typeName);
    if (mutations.length) return `What ${mutations.map((m) => m.name).join(', ')} returns.`;
  }
  return undefined;
}

function describe(schema: GraphQLSchema, target: { description?: string | null }, key: string, parts: [string, string?, string?]): void {
  if (target.description) return;
  const text = SCHEMA_DOCS[key] ?? genericDescription(schema, ...parts);
  if (text) target.description = text;
}

/** Fills every missing description of a built schema in place (decorator descriptions stay). */
export function applySchemaDocs(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    describe(schema, type, type.name, [type.name]);
    if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        describe(schema, field, `${type.name}.${field.name}`, [type.name, field.name]);
        for (const arg of 'args' in field ? field.args : []) {
          describe(schema, arg, `${type.name}.${field.name}(${arg.name})`, [type.name, field.name, arg.name]);
        }
      }
    }
    if (isEnumType(type)) for (const value of type.getValues()) describe(schema, value, `${type.name}.${value.name}`, [type.name, value.name]);
  }
  return schema;
}

/** Every description the schema lacks, as `Type`, `Type.field`, `Type.field(arg)` (what the test reports). */
export function missingDescriptions(schema: GraphQLSchema): string[] {
  const missing: string[] = [];
  const BUILT_IN = new Set(['String', 'Boolean', 'Int', 'Float', 'ID']);
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__') || BUILT_IN.has(type.name)) continue;
    if (!type.description) missing.push(type.name);
    if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        if (!field.description) missing.push(`${type.name}.${field.name}`);
        for (const arg of 'args' in field ? field.args : []) if (!arg.description) missing.push(`${type.name}.${field.name}(${arg.name})`);
      }
    }
    if (isEnumType(type)) for (const value of type.getValues()) if (!value.description) missing.push(`${type.name}.${value.name}`);
  }
  return missing;
}

/** Catalogue keys that name nothing in the schema (a renamed or removed item). */
export function staleSchemaDocs(schema: GraphQLSchema): string[] {
  return Object.keys(SCHEMA_DOCS).filter((key) => {
    const match = /^(\w+)(?:\.(\w+))?(?:\((\w+)\))?$/.exec(key);
    if (!match) return true;
    const [, typeName, member, arg] = match;
    const type = schema.getType(typeName);
    if (!type) return true;
    if (!member) return false;
    if (isEnumType(type)) return arg !== undefined || !type.getValue(member);
    if (!(isObjectType(type) || isInterfaceType(type) || isInputObjectType(type))) return true;
    const field = type.getFields()[member];
    if (!field) return true;
    return arg !== undefined && !('args' in field && field.args.some((a) => a.name === arg));
  });
}
