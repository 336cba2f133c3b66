using FrameLord.Sync.TestKit;

namespace FrameLord.Sync.Server.Tests.Storage;

public sealed class PostgresStoreConformanceTests() : StoreConformanceTests(Backend.Postgres);
