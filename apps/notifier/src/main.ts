if (process.argv[2] === 'openapi') {
  // `node main.js openapi`: print the OpenAPI document, without a database or NATS. Loaded lazily,
  // like everything else here, so that telemetry below hooks http and pg before they load.
  const [{ printOpenApi }, { NotifierModule }, { notifierOpenApi }] = await Promise.all([
    import('@credence/platform-openapi'),
    import('./notifier.module.js'),
    import('./transport/http/openapi.js'),
  ]);
  await printOpenApi(NotifierModule, notifierOpenApi);
} else {
  const { startTelemetry } = await import('@credence/platform-observability');
  // Telemetry first: http and pg must be loaded after the SDK has hooked them.
  await startTelemetry({ serviceName: 'credence-notifier', serviceVersion: '0.1.0' });
  await import('./bootstrap.js');
}
