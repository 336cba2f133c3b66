using FrameLord.Sync.TestKit;

namespace FrameLord.Sync.Server.Tests.Api;

public sealed class PostgresApiTests() : ApiTests(Backend.Postgres);
