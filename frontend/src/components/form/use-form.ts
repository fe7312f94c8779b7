import { useCallback, useState } from "react";
import { ApiError, errorMessage } from "@/api/errors";

export type FieldErrors<V> = Partial<Record<keyof V & string, string>>;
export type Validate<V> = (values: V) => FieldErrors<V>;

/**
 * Minimal form state: values, client-side validation before submit, and the
 * API's `errors[]` mapped back onto fields (anything unmatched becomes formError).
 */
export function useForm<V extends Record<string, unknown>>(initial: V, validate?: Validate<V>) {
  const [values, setValues] = useState<V>(initial);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);

  const setValue = useCallback(<K extends keyof V>(name: K, value: V[K]) => {
    setValues((v) => ({ ...v, [name]: value }));
    setErrors((e) => {
      if (!(name in e)) return e;
      const { [name as string]: _, ...rest } = e;
      return rest;
    });
  }, []);

  const reset = useCallback((next: V) => {
    setValues(next);
    setErrors({});
    setFormError(null);
  }, []);

  /** Applies an API error: field errors next to fields, the rest as one message. */
  const applyError = useCallback(
    (error: unknown) => {
      if (error instanceof ApiError) {
        const fields = error.fieldErrors;
        const known = Object.keys(fields).filter((f) => f in values);
        if (known.length > 0) {
          setErrors(Object.fromEntries(known.map((f) => [f, fields[f]!])));
          const unknown = Object.keys(fields).filter((f) => !(f in values));
          setFormError(unknown.length ? unknown.map((f) => `${f}: ${fields[f]}`).join(" ") : null);
          return;
        }
      }
      setFormError(errorMessage(error));
    },
    [values],
  );

  const handleSubmit = useCallback(
    (onValid: (values: V) => Promise<unknown> | unknown) => async (e?: { preventDefault(): void }) => {
      e?.preventDefault();
      setFormError(null);
      const found = validate?.(values) ?? {};
      const present = Object.fromEntries(Object.entries(found).filter(([, m]) => !!m)) as Record<string, string>;
      setErrors(present);
      if (Object.keys(present).length > 0) return;
      setSubmitting(true);
      try {
        await onValid(values);
      } catch (err) {
        applyError(err);
      } finally {
        setSubmitting(false);
      }
    },
    [values, validate, applyError],
  );

  return { values, setValue, errors, formError, submitting, handleSubmit, reset, applyError };
}

export const isEmail = (v: string) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v.trim());
export const isUrl = (v: string) => {
  try {
    const u = new URL(v.trim());
    return u.protocol === "http:" || u.protocol === "https:";
  } catch {
    return false;
  }
};
