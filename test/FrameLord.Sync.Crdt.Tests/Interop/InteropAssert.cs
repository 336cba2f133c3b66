using System.Text.Json.Nodes;

namespace FrameLord.Sync.Crdt.Tests.Interop;

/// <summary>Runs a script on both implementations and compares every step's result, reporting the seed and first difference.</summary>
public static class InteropAssert
{
    public static JsonArray RunBoth(NodeHarness harness, List<JsonObject> steps, List<JsonNode?> csResults, string label)
    {
        var script = new JsonArray();
        foreach (var s in steps)
        {
            script.Add(s.DeepClone());
        }

        JsonArray js;
        try
        {
            js = harness.Call(new JsonObject { ["cmd"] = "script", ["steps"] = script })!.AsArray();
        }
        catch (YjsHarnessException e)
        {
            Assert.Fail($"{label}: yjs failed to run the script: {e.Message}\nscript: {script.ToJsonString()}");
            throw;
        }

        Assert.True(js.Count == csResults.Count, $"{label}: {csResults.Count} C# results, {js.Count} yjs results");
        for (var i = 0; i < js.Count; i++)
        {
            if (!JsonNode.DeepEquals(js[i], csResults[i]))
            {
                Assert.Fail($"{label}: step {i} differs.\nstep: {steps[i].ToJsonString()}\nC#:   {csResults[i]?.ToJsonString()}\nyjs:  {js[i]?.ToJsonString()}\nscript: {script.ToJsonString()}");
            }
        }

        return js;
    }
}
