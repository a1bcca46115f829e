import type { CodegenConfig } from "@graphql-codegen/cli";

const config: CodegenConfig = {
  schema: "../../schema.graphql", // or the server's /graphql in development (introspection is on there)
  documents: "operations/*.graphql",
  generates: {
    "generated/operations.ts": {
      // typescript-operations alone: since v6 it emits the enums and inputs the operations use.
      // Adding the `typescript` plugin too declares them twice (TS2300 Duplicate identifier).
      plugins: ["typescript-operations"],
      config: {
        // The custom scalars, as they travel in JSON: RFC 3339 strings, and any JSON for the export.
        scalars: {
          Date: "string",
          DateTime: "string",
          JSON: "unknown",
          AccountExport: "Record<string, unknown>",
        },
        enumType: "string-literal",
        strictScalars: true,
      },
    },
  },
};

export default config;
