if (process.argv[2] === 'openapi') {
  // `node main.js openapi`: print the OpenAPI document, without a database or NATS. Loaded lazily,
  // like everything else here, so that telemetry below hooks http and pg before they load.
  const [{ printOpenApi }, { RechargeModule }, { rechargeOpenApi }] = await Promise.all([
    import('@credence/platform-openapi'),
    import('./recharge.module.js'),
    import('./transport/http/openapi.js'),
  ]);
  await printOpenApi(RechargeModule, rechargeOpenApi);
} else {
  const { startTelemetry } = await import('@credence/platform-observability');
  // Telemetry first: http and pg must be loaded after the SDK has hooked them.
  await startTelemetry({ serviceName: 'credence-recharge', serviceVersion: '0.1.0' });
  await import('./bootstrap.js');
}
