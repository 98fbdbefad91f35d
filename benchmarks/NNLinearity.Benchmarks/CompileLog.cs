using System;
using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using System.Linq;

namespace NNLinearity.Benchmarks;

/// <summary>
/// The runtime's compilation events in this process (JIT keyword): for each method compiled while it listens, the time
/// from the start of its compilation to its load. `first-fit ROWS compiles` prints the slowest compiles of a first fit.
/// </summary>
public sealed class CompileLog : EventListener
{
    private readonly ConcurrentDictionary<ulong, DateTime> _started = new();
    private readonly ConcurrentBag<(string Method, double Milliseconds)> _compiled = [];

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)0x10);
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.Payload is null || eventData.Payload.Count < 8) return;
        if (eventData.EventName == "MethodJittingStarted_V1")
        {
            _started[Convert.ToUInt64(eventData.Payload[0], System.Globalization.CultureInfo.InvariantCulture)] = eventData.TimeStamp;
        }
        else if (eventData.EventName is "MethodLoadVerbose_V1" or "MethodLoadVerbose_V2"
            && _started.TryRemove(Convert.ToUInt64(eventData.Payload[0], System.Globalization.CultureInfo.InvariantCulture), out DateTime start))
        {
            _compiled.Add(($"{eventData.Payload[6]}.{eventData.Payload[7]}", (eventData.TimeStamp - start).TotalMilliseconds));
        }
    }

    /// <summary>The slowest <paramref name="count"/> compiles and the total, one line each.</summary>
    public string Report(int count) =>
        string.Join(Environment.NewLine, _compiled.OrderByDescending(c => c.Milliseconds).Take(count)
            .Select(c => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{c.Milliseconds,8:F2} ms  {c.Method}"))
            .Append(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{_compiled.Sum(c => c.Milliseconds),8:F2} ms  in all, {_compiled.Count} compiles (background recompilations included)")));
}
