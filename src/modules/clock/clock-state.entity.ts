import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The manual clock's current instant, shared by every instance on the database. */
@Entity('clock_state')
export class ClockStateEntity {
  @PrimaryColumn({ type: 'int' }) id: number;
  @Column({ type: 'timestamptz' }) now: Date;
}
