using System;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading;
using NNLinearity.Families;
using NNLinearity.Layers;
using NNLinearity.Links;
using NNLinearity.Tests.Generators;
using Xunit;

namespace NNLinearity.Tests.Layers;

public sealed class ModelFileTests
{
    private static StackedGlm<double> Valid => BadInputArbitraries.ValidModel;

    private static string ValidText() => BadInputArbitraries.ValidModelText();

    private static StackedGlm<T> Load<T>(string text) where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T> =>
        ModelFile.Load<T>(new MemoryStream(Encoding.UTF8.GetBytes(text)));

    [Law]
    public void HostileFile_IsRefused_NamingTheField(HostileFile file)
    {
        var e = Assert.Throws<InvalidDataException>(() => Load<double>(file.Text));
        if (file.Path is not null) Assert.Contains(file.Path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ExplainsWhatWasExpected()
    {
        string valid = ValidText();
        JsonNode d = JsonNode.Parse(valid)!;
        d["layers"]![1]!["outputs"] = 2.5;
        var e = Assert.Throws<InvalidDataException>(() => Load<double>(d.ToJsonString()));
        Assert.Equal("layers[1].outputs is 2.5; expected a whole number from 1 to 2147483591.", e.Message);

        d = JsonNode.Parse(valid)!;
        d.AsObject().Remove("version");
        Assert.Equal("version is missing.", Assert.Throws<InvalidDataException>(() => Load<double>(d.ToJsonString())).Message);

        d = JsonNode.Parse(valid)!;
        d["inputs"] = 1000000000;
        d["layers"]![0]!["inputs"] = 1000000000;
        d["layers"]![0]!["outputs"] = 1000000000;
        Assert.Contains("1000000000 outputs x 1000000000 inputs", Assert.Throws<InvalidDataException>(() => Load<double>(d.ToJsonString())).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_NumberBeyondDouble_IsRefused()
    {
        JsonNode d = JsonNode.Parse(ValidText())!;
        d["layers"]![0]!["weights"]![3] = 123456.5;
        var e = Assert.Throws<InvalidDataException>(() => Load<double>(d.ToJsonString().Replace("123456.5", "1e400", StringComparison.Ordinal)));
        Assert.Contains("layers[0].weights[3]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_FloatOutOfRange_IsRefused()
    {
        var model = StackedGlm.Create<float>(2, [new LayerSpec(1, new IdentityLink())], GlmFamily.Gaussian, seed: 1);
        using var stream = new MemoryStream();
        ModelFile.Save(model, stream);
        JsonNode d = JsonNode.Parse(stream.ToArray())!;
        d["layers"]![0]!["weights"]![1] = 1e39;
        var e = Assert.Throws<InvalidDataException>(() => Load<float>(d.ToJsonString()));
        Assert.Contains("layers[0].weights[1]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FailedSave_LeavesThePreviousFileUntouched()
    {
        string dir = Directory.CreateTempSubdirectory("nnlinearity-").FullName;
        try
        {
            string path = Path.Combine(dir, "model.json");
            ModelFile.Save(Valid, path);
            byte[] before = File.ReadAllBytes(path);
            var unsavable = StackedGlm.Create<double>(3, [new LayerSpec(2, new UserLink(new TanhLink())), new LayerSpec(1, new LogitLink())], GlmFamily.Binomial, seed: 2);
            Assert.Throws<NotSupportedException>(() => ModelFile.Save(unsavable, path));
            Assert.Equal(before, File.ReadAllBytes(path));
            Assert.Single(Directory.GetFiles(dir)); // no temporary file left behind
            using var stream = new MemoryStream();
            Assert.Throws<NotSupportedException>(() => ModelFile.Save(unsavable, stream));
            Assert.Equal(0, stream.Length); // refused before anything is written
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void SavesRacingFailingSaves_LeaveALoadableFile_AndReadersNeverSeeAHalfFile()
    {
        string dir = Directory.CreateTempSubdirectory("nnlinearity-").FullName;
        try
        {
            string path = Path.Combine(dir, "model.json");
            StackedGlm<double>[] models = Enumerable.Range(0, 2).Select(s => StackedGlm.Create<double>(30, [new LayerSpec(40, new TanhLink()), new LayerSpec(1, new LogitLink())], GlmFamily.Binomial, seed: s)).ToArray();
            var unsavable = StackedGlm.Create<double>(30, [new LayerSpec(2, new UserLink(new TanhLink())), new LayerSpec(1, new LogitLink())], GlmFamily.Binomial);
            ModelFile.Save(models[0], path);
            int failures = 0, loads = 0;
            using var stop = new CancellationTokenSource();
            var writers = models.Select(m => new Thread(() =>
            {
                for (int i = 0; i < 40; i++) ModelFile.Save(m, path);
            })).Append(new Thread(() =>
            {
                for (int i = 0; i < 40; i++)
                {
                    try
                    {
                        ModelFile.Save(unsavable, path);
                    }
                    catch (NotSupportedException)
                    {
                        failures++;
                    }
                }
            })).ToArray();
            var reader = new Thread(() =>
            {
                while (!stop.IsCancellationRequested)
                {
                    double[] p = ModelFile.Load<double>(path).GetParameters();
                    Assert.Contains(models, m => m.GetParameters().AsSpan().SequenceEqual(p));
                    loads++;
                }
            });
            foreach (Thread t in writers) t.Start();
            reader.Start();
            foreach (Thread t in writers) t.Join();
            stop.Cancel();
            reader.Join();
            Assert.Equal(40, failures);
            Assert.True(loads > 0);
            double[] final = ModelFile.Load<double>(path).GetParameters();
            Assert.Contains(models, m => m.GetParameters().AsSpan().SequenceEqual(final));
            Assert.Single(Directory.GetFiles(dir));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
