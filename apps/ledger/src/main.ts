if (process.argv[2] === 'openapi') {
  // `node main.js openapi`: print the OpenAPI document, without a database or NATS. Loaded lazily,
  // like everything else here, so that telemetry below hooks http and pg before they load.
  const [{ printOpenApi }, { LedgerModule }, { ledgerOpenApi }] = await Promise.all([
    import('@credence/platform-openapi'),
    import('./ledger.module.js'),
    import('./transport/http/openapi.js'),
  ]);
  await printOpenApi(LedgerModule, ledgerOpenApi);
} else {
  const { startTelemetry } = await import('@credence/platform-observability');
  // Telemetry first: http and pg must be loaded after the SDK has hooked them.
  await startTelemetry({ serviceName: 'credence-ledger', serviceVersion: '0.1.0' });
  await import('./bootstrap.js');
}
