using System;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading.Tasks;
using NNLinearity.Families;
using NNLinearity.Glm;
using NNLinearity.Interop;
using NNLinearity.Orleans;
using Orleans.TestingHost;

namespace NNLinearity.Benchmarks;

/// <summary>
/// The multi-node fit's overhead: the Parquet parts of StreamingFiles fitted through an Orleans cluster of several
/// silos in this process (each silo a node with its own grains, talking over loopback TCP), against the
/// single-process partitioned fit of the same parts, in the same process and run.
/// </summary>
internal static class OrleansFit
{
    private sealed class PartsCatalog(string[] parts) : IGlmPartitionCatalog
    {
        public IGlmChunkSource Open(string dataset, int partition) => GlmChunkSources.FromParquet([parts[partition]], StreamingFiles.Map);
    }

    public static async Task Run(string folder, int silos)
    {
        string[] parts = StreamingFiles.Parts(folder);
        var builder = new InProcessTestClusterBuilder((short)silos);
        builder.ConfigureSilo((_, silo) => silo.AddGlmPartitions(new PartsCatalog(parts)));
        await using InProcessTestCluster cluster = builder.Build();
        await cluster.DeployAsync();
        var model = new GlmPartitionedModel(StreamingFiles.Columns, parts.Length, HasOffset: false, StreamingFiles.Map.Predictors);
        IGlmChunkSource[] sources = parts.Select(p => GlmChunkSources.FromParquet([p], StreamingFiles.Map)).ToArray();

        // Alternate the two, twice, so that neither gets a warmer disk cache.
        for (int round = 0; round < 2; round++)
        {
            var clock = Stopwatch.StartNew();
            GlmFit local = NNLinearity.Glm.Glm.FitStreaming(sources, GlmFamily.Binomial, options: new GlmStreamingOptions { MaxDegreeOfParallelism = 1 });
            double tLocal = clock.Elapsed.TotalSeconds;
            clock.Restart();
            GlmFit distributed = await OrleansGlm.FitAsync(cluster.Client, "bench", model, GlmFamily.Binomial, cluster: new OrleansGlmOptions { PartitionThreads = 1 });
            double tCluster = clock.Elapsed.TotalSeconds;
            bool same = local.Coefficients.SequenceEqual(distributed.Coefficients) && local.Deviance == distributed.Deviance;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"stream-fit-orleans round {round + 1}: {parts.Length} partitions, {local.DataPasses} passes; single process {tLocal:F2} s, {silos} silos {tCluster:F2} s, ratio {tCluster / tLocal:F2}; same bits: {same}"));
        }
    }
}
