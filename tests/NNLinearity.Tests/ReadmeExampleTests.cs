using System;
using System.IO;
using System.Linq;
using NNLinearity.Families;
using NNLinearity.Glm;
using NNLinearity.Links;
using Xunit;

namespace ReadmeExamples;

/// <summary>The README's examples, verbatim between the markers, so that they compile and give what the README says.</summary>
public class ReadmeExampleTests
{
    [Fact]
    public void QuickStart_Dobson()
    {
        // README:quickstart:begin
        // Dobson (1990), p. 93: a randomised controlled trial (R's ?glm example).
        double[,] x =
        {
            // outcome2, outcome3, treatment2, treatment3
            { 0, 0, 0, 0 }, { 1, 0, 0, 0 }, { 0, 1, 0, 0 },
            { 0, 0, 1, 0 }, { 1, 0, 1, 0 }, { 0, 1, 1, 0 },
            { 0, 0, 0, 1 }, { 1, 0, 0, 1 }, { 0, 1, 0, 1 },
        };
        double[] counts = [18, 17, 15, 20, 10, 20, 25, 13, 12];

        GlmFit fit = Glm.Fit(x, counts, GlmFamily.Poisson, new LogLink(), new GlmOptions
        {
            ColumnNames = ["outcome2", "outcome3", "treatment2", "treatment3"],
        });

        Console.WriteLine(fit.Summary());
        // Residual deviance: 5.12914 on 4 degrees of freedom; AIC: 56.761 (as R prints)
        // README:quickstart:end

        Assert.Equal(5.129141077001142, fit.Deviance, 10);
        Assert.Contains("Residual deviance:   5.12914  on 4  degrees of freedom", fit.Summary(), StringComparison.Ordinal);
        Assert.Contains("AIC: 56.761", fit.Summary(), StringComparison.Ordinal);
    }

    /// <summary>The README's quick-start block is, line for line, the code between the markers above.</summary>
    [Fact]
    public void Readme_QuickStart_IsTheTestedCode()
    {
        string root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "NNLinearity.sln"))) root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("repository root not found");
        string[] test = File.ReadAllLines(Path.Combine(root, "tests", "NNLinearity.Tests", "ReadmeExampleTests.cs"));
        int begin = Array.FindIndex(test, l => l.Contains("README:quickstart:begin", StringComparison.Ordinal));
        int end = Array.FindIndex(test, l => l.Contains("README:quickstart:end", StringComparison.Ordinal));
        string[] tested = test[(begin + 1)..end].Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();

        string[] readme = File.ReadAllLines(Path.Combine(root, "README.md"));
        int open = Array.FindIndex(readme, l => l.Trim() == "```csharp");
        int close = Array.FindIndex(readme, open + 1, l => l.Trim() == "```");
        string[] shown = readme[(open + 1)..close].Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith("using ", StringComparison.Ordinal)).ToArray();

        Assert.Equal(tested, shown);
    }
}
