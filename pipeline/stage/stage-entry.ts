import type { Registry } from 'prom-client';
import type { StageName, TopicSpec } from '../../schemas/topics.ts';
import type { ConfigSpec } from '../config/settings.ts';
import type { Sql } from '../db/sql.ts';
import { StageDefinitionError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { ModelRegistry } from '../models/model-registry.ts';
import type { AnyStage, SourceDefinition } from './define-stage.ts';

// A stage as the worker registry (stages/index.ts) lists it: its name and topics, declared without building it
// (so the wiring can be checked against the catalogue at boot, in a test and by `candleflow topics`), its settings,
// and a factory that builds it from its compiled configuration and the process's shared services.

export type Unit = AnyStage | SourceDefinition;

export function isSource(unit: Unit): unit is SourceDefinition {
  return typeof (unit as SourceDefinition).run === 'function' && !('inputs' in unit);
}

/** What the process shares with the stages it runs; each is created on first use and closed at shutdown. */
export interface StageServices {
  /** The process's database (DATABASE_URL, else embedded), migrated; waits out an outage at start. */
  database(): Promise<Sql>;
  /** The model registry in that database, with the bundled models registered and the defaults active. */
  models(): Promise<ModelRegistry>;
}

export interface StageFactoryContext<C> {
  /** The stage's settings, compiled once at start and frozen. */
  config: C;
  log: Logger;
  /** The process's metrics registry, for numbers that are not per-record counts (rolling model error). */
  metrics: Registry;
  services: StageServices;
  /** Runs `close` at shutdown, after the stage stopped (model sessions, timers). */
  onClose(close: () => Promise<void>): void;
}

export interface StageEntry<C = unknown> {
  name: StageName;
  /** Topics it reads; none for a source. */
  inputs: readonly TopicSpec[];
  outputs: readonly TopicSpec[];
  config: ConfigSpec<C>;
  create(ctx: StageFactoryContext<C>): Unit | Promise<Unit>;
}

export function stageEntry<C>(entry: StageEntry<C>): StageEntry<C> {
  return Object.freeze(entry);
}

/** A stage as built must read and write exactly what its entry declared: the wiring check trusts the entry. */
export function checkUnitMatchesEntry(entry: StageEntry<unknown>, unit: Unit): void {
  const names = (ts: readonly TopicSpec[]) =>
    ts
      .map((t) => t.name)
      .sort()
      .join(', ');
  const inputs = isSource(unit) ? [] : unit.inputs;
  if (
    unit.name !== entry.name ||
    names(inputs) !== names(entry.inputs) ||
    names(unit.outputs) !== names(entry.outputs)
  ) {
    throw new StageDefinitionError(
      `stage ${entry.name} was declared with inputs [${names(entry.inputs)}] and outputs [${names(entry.outputs)}] but built as ${unit.name} with inputs [${names(inputs)}] and outputs [${names(unit.outputs)}]`,
    );
  }
}
