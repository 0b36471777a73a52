import type { MigrationInterface, QueryRunner } from 'typeorm';

export class SpecializationMonths1795733825177 implements MigrationInterface {
  name = 'SpecializationMonths1795733825177';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "specialization_months" ("partner_id" uuid NOT NULL, "specialization" text NOT NULL, "month" text NOT NULL, "eligible_consumption" numeric NOT NULL, CONSTRAINT "PK_specialization_months" PRIMARY KEY ("partner_id", "specialization", "month"))`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "specialization_months"`);
  }
}
