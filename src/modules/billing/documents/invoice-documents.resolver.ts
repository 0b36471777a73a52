// Invoice.documents: where a client downloads the invoice as CSV or PDF (SPEC §21).
import { Field, FieldResolver, ObjectType, Resolver, Root } from 'type-graphql';
import type { InvoiceView } from '../billing.service';
import { InvoiceType } from '../invoice.type';
import { invoiceDocumentPath } from './documents.router';

@ObjectType('InvoiceDocuments', {
  description: 'Download paths of an invoice, relative to the API origin; GET them with the same bearer token. A preview (open month) is marked PREVIEW.',
})
export class InvoiceDocumentsType {
  @Field(() => String, { description: 'RFC 4180 CSV, UTF-8: one row per line, then the totals.' }) csv: string;
  @Field(() => String, { description: 'PDF with the lines, the totals and the partner bonus.' }) pdf: string;
}

@Resolver(() => InvoiceType)
export class InvoiceDocumentsResolver {
  @FieldResolver(() => InvoiceDocumentsType, { description: 'Where to download this invoice as CSV or PDF (SPEC §21).' })
  documents(@Root() invoice: InvoiceView): InvoiceDocumentsType {
    return { csv: invoiceDocumentPath(invoice.partnerId, invoice.month, 'csv'), pdf: invoiceDocumentPath(invoice.partnerId, invoice.month, 'pdf') };
  }
}
