import { z } from "zod";

/**
 * Config files an app writes into its pods (`files`): absolute paths to
 * text, delivered in one ConfigMap and mounted read-only at their paths.
 */

/**
 * An absolute file path in a directory other than "/" (the directory is
 * mounted whole): no "." or ".." component, none that starts with ".." (the
 * kubelet keeps a ConfigMap volume's own "..data" there), no ":".
 */
export const filePath = z.string().regex(/^(\/(?!\.\.)(?!\.\/)(?!\.$)[^/:]+){2,}$/, {
  message:
    'must be an absolute file path in a directory, without "." or ".." components, ":" or a trailing "/", e.g. "/etc/checkout/config.yaml"',
});

/** `files`: path → the file's text. */
export const filesSchema = z.record(filePath, z.string());

/**
 * The most a ConfigMap's data may hold, in bytes: the API server's
 * ValidateConfigMap (k8s.io/kubernetes pkg/apis/core/validation) sums the
 * values' lengths and refuses more than core.MaxSecretSize, 1 MiB.
 */
export const CONFIG_MAP_MAX_BYTES = 1024 * 1024;
