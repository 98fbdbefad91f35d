using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using NNLinearity.Families;
using NNLinearity.Glm;
using NNLinearity.Orleans;
using Orleans.TestingHost;
using Xunit;

namespace NNLinearity.Orleans.Tests;

/// <summary>
/// A GLM fitted on an in-process Orleans cluster of three silos, with the data's partitions spread over them and one
/// silo stopped in the middle of a pass: the fit re-runs that partition's pass on another silo and returns, bit for
/// bit, the single-process partitioned fit.
/// </summary>
public sealed class DistributedFitTests
{
    private const int Partitions = 6;
    private const int Columns = 5;

    /// <summary>Partition i of a logistic data set with an offset: rows generated from the partition's index alone, so every silo reads the same rows.</summary>
    private static IGlmChunkSource Partition(int i)
    {
        int rows = 2500 + 731 * i;
        var rng = new Random(1000 + i);
        double[] x = new double[rows * Columns], y = new double[rows], off = new double[rows];
        for (int r = 0; r < rows; r++)
        {
            double eta = -0.3;
            for (int j = 0; j < Columns; j++)
            {
                double v = 2 * rng.NextDouble() - 1;
                x[r * Columns + j] = v;
                eta += v * (0.8 - 0.3 * j);
            }

            off[r] = 0.1 * Math.Sin(r);
            y[r] = rng.NextDouble() < 1 / (1 + Math.Exp(-eta - off[r])) ? 1 : 0;
        }

        return GlmChunkSource.FromArrays(x, Columns, y, 1000, offset: off);
    }

    /// <summary>Shared by the silos' catalogs: who summed which partition, and the silo to stop.</summary>
    private sealed class Coordinator
    {
        public readonly ConcurrentQueue<(string Silo, int Partition, int Open)> Log = new();
        public readonly TaskCompletionSource<string> VictimBlocked = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _victimChosen;
        private readonly ConcurrentDictionary<(string, int), int> _opens = new();

        /// <summary>The third time a partition is opened on a silo, the first such silo becomes the victim.</summary>
        public bool Opened(string silo, int partition, out int open)
        {
            open = _opens.AddOrUpdate((silo, partition), 1, (_, n) => n + 1);
            Log.Enqueue((silo, partition, open));
            return open == 3 && Interlocked.Exchange(ref _victimChosen, 1) == 0;
        }
    }

    private sealed class RecordingCatalog(string silo, Coordinator coordinator) : IGlmPartitionCatalog
    {
        public IGlmChunkSource Open(string dataset, int partition)
        {
            Assert.Equal("credit", dataset);
            IGlmChunkSource source = Partition(partition);
            return coordinator.Opened(silo, partition, out _) ? new BlockedUntilStopped(source, silo, coordinator) : source;
        }
    }

    /// <summary>A partition whose reading waits until its silo stops, then fails as a read cut off by the shutdown would.</summary>
    private sealed class BlockedUntilStopped(IGlmChunkSource inner, string silo, Coordinator coordinator) : IGlmChunkSource
    {
        public int Columns => inner.Columns;

        public IReadOnlyList<string>? ColumnNames => inner.ColumnNames;

        public bool HasWeights => inner.HasWeights;

        public bool HasOffset => inner.HasOffset;

        public IEnumerable<GlmChunk> ReadChunks(CancellationToken cancellationToken)
        {
            coordinator.VictimBlocked.TrySetResult(silo);
            cancellationToken.WaitHandle.WaitOne(TimeSpan.FromSeconds(60));
            cancellationToken.ThrowIfCancellationRequested();
            throw new TimeoutException("The silo was not stopped within 60 s.");
#pragma warning disable CS0162 // an iterator needs a yield
            yield break;
#pragma warning restore CS0162
        }
    }

    private static string? BitsDiffer(GlmFit a, GlmFit b)
    {
        double[] x = a.Coefficients.Concat(a.StandardErrors).Concat([a.Deviance, a.NullDeviance, a.Aic ?? 0, a.Iterations]).ToArray();
        double[] y = b.Coefficients.Concat(b.StandardErrors).Concat([b.Deviance, b.NullDeviance, b.Aic ?? 0, b.Iterations]).ToArray();
        for (int i = 0; i < x.Length; i++)
        {
            if (BitConverter.DoubleToInt64Bits(x[i]) != BitConverter.DoubleToInt64Bits(y[i])) return $"value {i}: {x[i]:R} vs {y[i]:R}";
        }

        return null;
    }

    [Fact]
    public async Task ThreeSilos_OneStoppedMidFit_GiveTheSingleProcessFit()
    {
        var coordinator = new Coordinator();
        var builder = new InProcessTestClusterBuilder(3);
        builder.ConfigureSilo((options, silo) => silo.AddGlmPartitions(new RecordingCatalog(options.SiloName, coordinator)));
        await using InProcessTestCluster cluster = builder.Build();
        await cluster.DeployAsync();

        IGlmChunkSource[] local = Enumerable.Range(0, Partitions).Select(Partition).ToArray();
        GlmFit expected = NNLinearity.Glm.Glm.FitStreaming(local, GlmFamily.Binomial, options: new GlmStreamingOptions { MaxDegreeOfParallelism = 1 });

        var retries = new ConcurrentQueue<GlmPartitionRetry>();
        var model = new GlmPartitionedModel(Columns, Partitions, HasOffset: true);
        Task<GlmFit> fit = OrleansGlm.FitAsync(cluster.Client, "credit", model, GlmFamily.Binomial,
            cluster: new OrleansGlmOptions { RetryDelay = TimeSpan.FromMilliseconds(100), Retries = new SyncProgress(retries.Enqueue) });

        string victim = await coordinator.VictimBlocked.Task.WaitAsync(TimeSpan.FromSeconds(120));
        InProcessSiloHandle handle = cluster.Silos.Single(s => s.Name == victim);
        await cluster.StopSiloAsync(handle);
        GlmFit actual = await fit.WaitAsync(TimeSpan.FromSeconds(180));

        Assert.Null(BitsDiffer(expected, actual));
        Assert.Equal(expected.DataPasses, actual.DataPasses);
        Assert.NotEmpty(retries);
        var log = coordinator.Log.ToArray();
        Assert.True(log.Select(l => l.Silo).Distinct().Count() >= 2, "The partitions were summed on one silo only.");
        (string _, int stopped, int _) = log.First(l => l.Silo == victim && l.Open == 3);
        Assert.Contains(log, l => l.Partition == stopped && l.Silo != victim); // the stopped partition's pass ran elsewhere
    }

    private sealed class SyncProgress(Action<GlmPartitionRetry> report) : IProgress<GlmPartitionRetry>
    {
        public void Report(GlmPartitionRetry value) => report(value);
    }

    [Fact]
    public void Keys_RoundTrip_AndBadNamesAreRefused()
    {
        Assert.Equal(("credit", 12), GlmPartitionKey.Parse(GlmPartitionKey.Of("credit", 12)));
        Assert.Throws<ArgumentException>(() => GlmPartitionKey.Of("a/b", 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => GlmPartitionKey.Of("a", -1));
        Assert.Throws<FormatException>(() => GlmPartitionKey.Parse("nopartition"));
    }
}
