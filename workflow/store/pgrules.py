"""PostgreSQL: the rules the database itself holds every login to, whatever client it uses.

A member connected with their own role (``psql`` as well as ``resolutions``) can do only
this (docs/SECURITY.md, "What the database enforces"):

- **Append to the chain only through** ``resolutions_append()`` (a ``SECURITY DEFINER``
  function; no member may INSERT into ``audit_events`` or UPDATE ``audit_head``). It takes
  the head lock, and refuses an event whose actor is not the caller (``session_user``'s
  member) — except a ``sign`` event naming the signer whose registered certificate signed —
  one whose ``typed_by`` is someone else, one made on behalf of another member without the
  hash of their word (``evidence_sha256``), one dated before the event it follows, and one
  whose hash is not the SHA-256 of the canonical JSON of its own fields and links.
- **Rows carry the writer's identity**: ``versions.author``, ``comments.disposed_by``,
  ``amendments.decided_by``, ``receipts.recorded_by`` and ``waivers.member_id`` are the
  caller; a comment's or an
  amendment's ``author`` is the caller or is recorded by a secretary; a signature names the
  certificate registered for its signer; an approval is the caller's, or (checked at
  commit) the event recording it was typed by the caller on the member's behalf with their
  evidence. Identity columns never change afterwards.
- **Every fact row goes with its event**: at commit, each row written to a fact table must
  be recorded (``"facts"``) by an event this transaction appended.
- The head moves only by one, onto the event just appended; the chain's tables take no
  UPDATE, DELETE or TRUNCATE (``workflow.store.pgroles``), from the owner neither.

The administrator (the tables' owner, or a superuser) is not a member: it may append only
the events of administration (membership, the rules file) and writes no identity row
except while it migrates. What it can still do — switch triggers off, replace these
functions — is what witnesses and anchors catch (docs/SECURITY.md)."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["statements", "ADMIN_ACTIONS", "IDENTITY", "FUNCTIONS"]

#: what the administrator's login may append (membership, the rules file, their facts)
ADMIN_ACTIONS = ("member-add", "member-edit", "member-remove", "config", "facts", "refused")

#: (table, column, rule): self — the caller (or empty); secretary — the caller, or any
#: when the caller is a secretary; behalf — the caller, or checked at commit; signer — the
#: caller or a secretary, and the signer's registered certificate
IDENTITY = (
    ("versions", "author", "self"),
    ("comments", "author", "secretary"),
    ("comments", "disposed_by", "self"),
    ("amendments", "author", "secretary"),
    ("amendments", "decided_by", "self"),
    ("approvals", "member_id", "behalf"),
    ("signatures", "member_id", "signer"),
    ("receipts", "recorded_by", "self"),
    ("waivers", "member_id", "self"),
)

#: the functions members call (EXECUTE granted to the members' group, revoked from PUBLIC)
FUNCTIONS = ("resolutions_caller()", "resolutions_is_admin()", "resolutions_holds(text)",
             "resolutions_lock_head()",
             "resolutions_append(timestamptz, text, text, text, integer, text, text, text, "
             "text)")

_DEFINER = "SECURITY DEFINER SET search_path = public, pg_temp"
_INVOKER = "SET search_path = public, pg_temp"

_FUNCTIONS_SQL = f"""
CREATE OR REPLACE FUNCTION resolutions_caller() RETURNS text
LANGUAGE sql STABLE {_DEFINER} AS $$
  SELECT id FROM members
  WHERE left(current_database() || '_' || id, 63) = session_user::text AND active
$$;

CREATE OR REPLACE FUNCTION resolutions_is_admin() RETURNS boolean
LANGUAGE sql STABLE {_DEFINER} AS $$
  SELECT coalesce((SELECT rolsuper FROM pg_roles WHERE rolname = session_user), false)
      OR pg_has_role(session_user,
                     (SELECT relowner FROM pg_class WHERE oid = 'public.audit_events'::regclass),
                     'USAGE')
$$;

CREATE OR REPLACE FUNCTION resolutions_migrating() RETURNS boolean
LANGUAGE sql STABLE {_INVOKER} AS $$
  SELECT coalesce(current_setting('resolutions.migrating', true), '') = 'on'
         AND resolutions_is_admin()
$$;

CREATE OR REPLACE FUNCTION resolutions_holds(p_role text) RETURNS boolean
LANGUAGE sql STABLE {_DEFINER} AS $$
  SELECT EXISTS (SELECT 1 FROM member_roles
                 WHERE member_id = resolutions_caller() AND role = p_role)
$$;

CREATE OR REPLACE FUNCTION resolutions_lock_head() RETURNS integer
LANGUAGE plpgsql {_DEFINER} AS $$
DECLARE
  head_seq integer;
BEGIN
  IF resolutions_caller() IS NULL AND NOT resolutions_is_admin() THEN
    RAISE EXCEPTION 'resolutions: % is not an active member of this working group',
      session_user USING ERRCODE = 'insufficient_privilege';
  END IF;
  SELECT seq INTO head_seq FROM audit_head WHERE id = 1 FOR UPDATE;
  PERFORM set_config('resolutions.start', head_seq::text, true);
  RETURN head_seq;
END $$;

CREATE OR REPLACE FUNCTION resolutions_append(
  p_at timestamptz, p_actor text, p_action text, p_outcome text, p_rid integer,
  p_symbol text, p_detail text, p_payload text, p_hash text) RETURNS integer
LANGUAGE plpgsql {_DEFINER} AS $$
DECLARE
  me text := resolutions_caller();
  head record;
  d jsonb := p_detail::jsonb;
  p jsonb := p_payload::jsonb;
  last_at timestamp;
BEGIN
  IF me IS NULL THEN
    IF NOT resolutions_is_admin() THEN
      RAISE EXCEPTION 'resolutions: % is not an active member of this working group: '
        'nothing may be appended to the audit log', session_user
        USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF p_action <> ALL (ARRAY[{", ".join(f"'{a}'" for a in ADMIN_ACTIONS)}]) THEN
      RAISE EXCEPTION 'resolutions: the administrator (%) does not act in the workflow: '
        '"%" is a member''s step; log in as the member', session_user, p_action
        USING ERRCODE = 'insufficient_privilege';
    END IF;
  ELSE
    IF p_actor IS DISTINCT FROM me AND NOT (
        p_action = 'sign' AND d->>'member' = p_actor
        AND d->>'cert_fingerprint' = (SELECT fingerprint FROM member_certificates
                                      WHERE member_id = p_actor)) THEN
      RAISE EXCEPTION 'resolutions: audit event refused: you are % and may append events in '
        'your own name only, not as %', me, p_actor USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF d ? 'typed_by' AND d->>'typed_by' IS DISTINCT FROM me THEN
      RAISE EXCEPTION 'resolutions: audit event refused: it says % typed it, but you are %',
        d->>'typed_by', me USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF d ? 'on_behalf_of' AND d->>'on_behalf_of' IS DISTINCT FROM me
       AND coalesce(d->>'evidence_sha256', '') = '' THEN
      RAISE EXCEPTION 'resolutions: audit event refused: acting for % needs their word, and '
        'the event carries no evidence', d->>'on_behalf_of'
        USING ERRCODE = 'insufficient_privilege';
    END IF;
  END IF;
  SELECT seq, hash INTO head FROM audit_head WHERE id = 1 FOR UPDATE;
  IF (p->>'seq')::integer IS DISTINCT FROM head.seq + 1 OR p->>'prev' IS DISTINCT FROM head.hash
  THEN
    RAISE EXCEPTION 'resolutions: audit event refused: it does not follow the head (event %)',
      head.seq USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF encode(sha256(convert_to(p_payload, 'UTF8')), 'hex') IS DISTINCT FROM p_hash
     OR p->>'actor' IS DISTINCT FROM p_actor OR p->>'action' IS DISTINCT FROM p_action
     OR p->>'outcome' IS DISTINCT FROM p_outcome OR p->>'symbol' IS DISTINCT FROM p_symbol
     OR p->'resolution_id' IS DISTINCT FROM coalesce(to_jsonb(p_rid), 'null'::jsonb)
     OR p->'detail' IS DISTINCT FROM d OR (p->>'at')::timestamptz IS DISTINCT FROM p_at THEN
    RAISE EXCEPTION 'resolutions: audit event refused: its hash is not over its own fields'
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  SELECT at INTO last_at FROM audit_events WHERE seq = head.seq;
  IF last_at IS NOT NULL AND (p_at AT TIME ZONE 'UTC') < last_at THEN
    RAISE EXCEPTION 'resolutions: audit event refused: dated % UTC, before the event it '
      'follows (% UTC); events are never dated back', p_at AT TIME ZONE 'UTC', last_at
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  INSERT INTO audit_events (seq, at, actor, action, outcome, resolution_id, symbol, detail,
                            prev_hash, hash)
  VALUES (head.seq + 1, p_at AT TIME ZONE 'UTC', p_actor, p_action, p_outcome, p_rid,
          p_symbol, p_detail, head.hash, p_hash);
  UPDATE audit_head SET seq = head.seq + 1, hash = p_hash WHERE id = 1;
  RETURN head.seq + 1;
END $$;

CREATE OR REPLACE FUNCTION resolutions_event_links() RETURNS trigger
LANGUAGE plpgsql {_INVOKER} AS $$
DECLARE
  head record;
BEGIN
  SELECT seq, hash INTO head FROM audit_head WHERE id = 1;
  IF NEW.seq IS DISTINCT FROM head.seq + 1 OR NEW.prev_hash IS DISTINCT FROM head.hash THEN
    RAISE EXCEPTION 'audit_events: event % does not follow the head (event %): append with '
      'resolutions_append()', NEW.seq, head.seq USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION resolutions_head_follows() RETURNS trigger
LANGUAGE plpgsql {_INVOKER} AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.id = OLD.id AND NEW.seq = OLD.seq + 1 AND EXISTS (
       SELECT 1 FROM audit_events
       WHERE seq = NEW.seq AND hash = NEW.hash AND prev_hash = OLD.hash) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit_head moves only by one, onto the event just appended: % refused',
    TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE OR REPLACE FUNCTION resolutions_identity() RETURNS trigger
LANGUAGE plpgsql {_INVOKER} AS $$
DECLARE
  me text := resolutions_caller();
  col text := TG_ARGV[0];
  rule text := TG_ARGV[1];
  row jsonb := to_jsonb(NEW);
  given text := row->>col;
BEGIN
  IF me IS NULL THEN
    IF resolutions_migrating() THEN
      RETURN NEW;
    END IF;
    RAISE EXCEPTION '%.% refused: % is not an active member of this working group (the '
      'administrator does not act in the workflow)', TG_TABLE_NAME, col, session_user
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF TG_OP = 'UPDATE' THEN
    IF given IS NOT DISTINCT FROM to_jsonb(OLD)->>col THEN
      RETURN NEW;
    END IF;
    IF rule <> 'self' THEN
      RAISE EXCEPTION '%.% never changes (% → %)', TG_TABLE_NAME, col,
        to_jsonb(OLD)->>col, given USING ERRCODE = 'insufficient_privilege';
    END IF;
  END IF;
  IF rule = 'signer' AND row->>'cert_fingerprint' IS DISTINCT FROM (
       SELECT fingerprint FROM member_certificates WHERE member_id = given) THEN
    RAISE EXCEPTION 'signatures: a signature by % must name the certificate registered for '
      'them', given USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF given = me OR (rule = 'self' AND coalesce(given, '') = '') OR rule = 'behalf'
     OR (rule IN ('secretary', 'signer') AND resolutions_holds('secretary')) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION '%.% = % refused: you are logged in as % (%)', TG_TABLE_NAME, col, given,
    me, session_user USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE OR REPLACE FUNCTION resolutions_bound() RETURNS trigger
LANGUAGE plpgsql {_INVOKER} AS $$
DECLARE
  row jsonb := to_jsonb(NEW);
  key jsonb := '[]'::jsonb;
  c text;
  ev record;
  d jsonb;
  me text;
BEGIN
  IF resolutions_migrating() THEN
    RETURN NULL;
  END IF;
  FOREACH c IN ARRAY TG_ARGV LOOP
    key := key || jsonb_build_array(row->>c);
  END LOOP;
  FOR ev IN SELECT e.seq, e.detail FROM audit_events e
            WHERE e.seq > coalesce(nullif(current_setting('resolutions.start', true), ''),
                                   '0')::integer
              AND e.xmin = pg_current_xact_id()::xid
            ORDER BY e.seq DESC LOOP
    d := ev.detail::jsonb;
    IF (d -> 'facts') @> jsonb_build_array(jsonb_build_array(TG_TABLE_NAME, key)) THEN
      me := resolutions_caller();
      IF TG_TABLE_NAME = 'approvals' AND TG_OP = 'INSERT'
         AND row->>'member_id' IS DISTINCT FROM me
         AND (d->>'on_behalf_of' IS DISTINCT FROM row->>'member_id'
              OR d->>'typed_by' IS DISTINCT FROM me
              OR coalesce(d->>'evidence_sha256', '') = '') THEN
        RAISE EXCEPTION 'approvals: the decision of % was written by % without their word: '
          'audit event % carries no evidence for it', row->>'member_id',
          coalesce(me, session_user), ev.seq USING ERRCODE = 'insufficient_privilege';
      END IF;
      IF TG_TABLE_NAME = 'approvals' AND TG_OP = 'INSERT'
         AND row->>'member_id' IS DISTINCT FROM me AND NOT resolutions_holds('secretary') THEN
        RAISE EXCEPTION 'approvals: % may record only their own decision; a decision for % '
          'is recorded by a secretary, with their word', me, row->>'member_id'
          USING ERRCODE = 'insufficient_privilege';
      END IF;
      RETURN NULL;
    END IF;
  END LOOP;
  RAISE EXCEPTION '% row % was written without an audit event recording it: every fact is '
    'written with its event (use resolutions, logged in as yourself)', TG_TABLE_NAME, key
    USING ERRCODE = 'insufficient_privilege';
END $$;
"""


def _q(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def statements(members_group: str, fact_tables: Iterable[tuple[str, list[str]]],
               have: set[str]) -> list[str]:
    """The SQL that creates (or replaces) the functions and triggers, for the tables in
    ``have``; idempotent, run by the owner (``workflow.store.pgroles``)."""
    out = [_FUNCTIONS_SQL]
    for signature in (*FUNCTIONS, "resolutions_migrating()"):
        out += [f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC",
                f"GRANT EXECUTE ON FUNCTION {signature} TO {_q(members_group)}"]
    triggers = [
        ("audit_events", "event_links", "BEFORE INSERT", "FOR EACH ROW",
         "resolutions_event_links()"),
        ("audit_head", "head_follows", "BEFORE UPDATE OR DELETE", "FOR EACH ROW",
         "resolutions_head_follows()"),
        ("audit_head", "head_no_truncate", "BEFORE TRUNCATE", "FOR EACH STATEMENT",
         "resolutions_append_only()"),
    ]
    for table, column, rule in IDENTITY:
        triggers.append((table, f"identity_{column}", "BEFORE INSERT OR UPDATE",
                         "FOR EACH ROW", f"resolutions_identity('{column}', '{rule}')"))
    for table, name, when, each, call in triggers:
        if table in have:
            out += [f"DROP TRIGGER IF EXISTS {name} ON {_q(table)}",
                    f"CREATE TRIGGER {name} {when} ON {_q(table)} {each} EXECUTE FUNCTION {call}"]
    for table, key in fact_tables:
        args = ", ".join(f"'{c}'" for c in key)
        out += [f"DROP TRIGGER IF EXISTS bound_to_chain ON {_q(table)}",
                f"CREATE CONSTRAINT TRIGGER bound_to_chain AFTER INSERT OR UPDATE ON {_q(table)} "
                f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
                f"EXECUTE FUNCTION resolutions_bound({args})"]
    return out
