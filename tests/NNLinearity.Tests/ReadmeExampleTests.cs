using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using NNLinearity.Data;
using NNLinearity.Families;
using NNLinearity.Glm;
using NNLinearity.Layers;
using NNLinearity.Linearity;
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

    [Fact]
    public void Linearity_OneLayerIsAGlm_DepthIsNot()
    {
        string text = Captured(() =>
        {
            // README:linearity:begin
            // XOR: the classic problem no linear predictor on the raw inputs solves.
            double[,] x = { { 0, 0 }, { 0, 1 }, { 1, 0 }, { 1, 1 } };
            double[,] y = { { 0 }, { 1 }, { 1 }, { 0 } };

            // One layer with a binomial family is logistic regression: a GLM.
            var oneLayer = StackedGlm.Create<double>(2, [new LayerSpec(1, new LogitLink())], GlmFamily.Binomial, seed: 1);
            oneLayer.Fit(x, y, new TrainingOptions { Optimizer = Optimizer.Lbfgs });
            Console.WriteLine(LinearityAnalysis.Analyze(oneLayer, x, y));

            // A tanh hidden layer: eta is no longer linear in the parameters, and XOR is solved.
            var twoLayer = StackedGlm.Create<double>(2, [new LayerSpec(2, new TanhLink()), new LayerSpec(1, new LogitLink())], GlmFamily.Binomial, seed: 3);
            twoLayer.Fit(x, y, new TrainingOptions { Optimizer = Optimizer.Lbfgs, MaxEpochs = 300 });
            Console.WriteLine(LinearityAnalysis.Analyze(twoLayer, x, y));

            // Identity hidden links collapse: W = W2 W1, b = W2 b1 + b2.
            var affine = StackedGlm.Create<double>(2, [new LayerSpec(3, new IdentityLink()), new LayerSpec(1, new LogitLink())], GlmFamily.Binomial, seed: 5);
            Console.WriteLine(LinearityAnalysis.Analyze(Collapse.ToSingleLayer(affine), x).Verdict);
            Console.WriteLine(LinearityAnalysis.Analyze(affine, x).Verdict);
            // README:linearity:end
        });
        File.WriteAllText(Path.Combine(Path.GetTempPath(), "nnlinearity-readme-linearity.txt"), text);
        Assert.Contains("Is StackedGlm(2 -> 1 logit; binomial) a GLM? Yes", text, StringComparison.Ordinal);
        Assert.Contains("Hessian of eta: zero (relative to the gradient 0); largest Frobenius norm 0, rank 0 of 3", text, StringComparison.Ordinal);
        Assert.Contains("Is StackedGlm(2 -> 2 tanh -> 1 logit; binomial) a GLM? No", text, StringComparison.Ordinal);
        Assert.Contains("search for a non-concave point: found", text, StringComparison.Ordinal);
        Assert.Contains("the parameters are not identifiable", text, StringComparison.Ordinal);
        Assert.Contains("a GLM: eta is linear in the parameters" + Environment.NewLine + "not a GLM in its parameters", text, StringComparison.Ordinal);

        // The README shows this run's output; every line that does not carry a rounding-level number is checked.
        // The hidden-unit swap changes eta by a rounding-level amount (0 or a few 1e-16, by SIMD path): it is compared
        // with the number masked.
        static string MaskSwap(string s) => System.Text.RegularExpressions.Regex.Replace(s, @"changes eta by \S+ \(relative\)", "changes eta by # (relative)");
        string readme = MaskSwap(File.ReadAllText(Path.Combine(Root(), "README.md")));
        foreach (string line in text.Split(Environment.NewLine).Select(MaskSwap).Where(l => l.Length > 0 && !l.Contains("E-1", StringComparison.Ordinal)))
        {
            if (!readme.Contains(line, StringComparison.Ordinal)) throw new Xunit.Sdk.XunitException("README lacks: " + line);
        }
    }

    [Fact]
    public void Formulas_InsuranceClaimsWithExposure()
    {
        string text = Captured(() =>
        {
            // README:formulas:begin
            // Motor insurance claims (R's MASS::Insurance): 64 cells of policy holders, factors and an exposure.
            DataTable insurance = Datasets.Insurance();

            GlmFit fit = Glm.Fit("Claims ~ District + Group + Age + offset(log(Holders))", insurance, GlmFamily.Poisson);
            Console.WriteLine(fit.Summary());
            Console.WriteLine(GlmAnova.Sequential(fit));
            Console.WriteLine(TermDeletions.Compute(fit));

            // Claims expected from 100 new holders in district 4 with a large car, driver under 25.
            var newDrivers = new DataTable(
                DataColumn.Factor("District", ["4"], ["1", "2", "3", "4"]),
                DataColumn.Factor("Group", [">2l"], ["<1l", "1-1.5l", "1.5-2l", ">2l"], ordered: true),
                DataColumn.Factor("Age", ["<25"], ["<25", "25-29", "30-35", ">35"], ordered: true),
                DataColumn.Numeric("Holders", [100.0]));
            GlmPrediction expected = fit.Predict(newDrivers);
            Console.WriteLine($"expected claims {expected.Fit[0]:F2} (standard error {expected.StandardErrors[0]:F2})");
            // README:formulas:end
        });
        // The numbers R prints for this fit (glm(Claims ~ District + Group + Age + offset(log(Holders)), poisson)).
        Assert.Contains("Group.L      0.429708   0.049459   8.688  < 2e-16 ***", text, StringComparison.Ordinal); // summary(fit) in R 4.2.2, character for character
        Assert.Contains("Residual deviance:     51.42  on 54  degrees of freedom", text, StringComparison.Ordinal);
        Assert.Contains("AIC: 388.74", text, StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(Path.GetTempPath(), "nnlinearity-readme-formulas.txt"), text);
        string readme = File.ReadAllText(Path.Combine(Root(), "README.md"));
        foreach (string line in text.Split(Environment.NewLine).Where(l => l.Length > 0))
        {
            if (!readme.Contains(line, StringComparison.Ordinal)) throw new Xunit.Sdk.XunitException("README lacks: " + line);
        }
    }

    [Fact]
    public void Robust_InsuranceSandwichAndInfluence()
    {
        string text = Captured(() =>
        {
            // README:robust:begin
            DataTable insurance = Datasets.Insurance();
            GlmFit fit = Glm.Fit("Claims ~ District + Group + Age + offset(log(Holders))", insurance, GlmFamily.Poisson);

            // Heteroskedasticity-consistent errors (sandwich::vcovHC, HC3 by default), tested as lmtest::coeftest does.
            Console.WriteLine(fit.TestCoefficients(fit.RobustCovariance()));

            // Influence (R's influence.measures): the cell with the largest Cook's distance, and how many are flagged.
            GlmInfluence influence = fit.Influence();
            int worst = Array.IndexOf(influence.CooksDistance, influence.CooksDistance.Max());
            Console.WriteLine($"row {worst + 1}: Cook's distance {influence.CooksDistance[worst]:F4}, hat {influence.Hat[worst]:F4}; {influence.Influential.Count(f => f)} of {fit.RowCount} rows flagged");
            // README:robust:end
        });
        File.WriteAllText(Path.Combine(Path.GetTempPath(), "nnlinearity-readme-robust.txt"), text);
        // R: cooks.distance, hatvalues and influence.measures of the same fit.
        // print(lmtest::coeftest(fit, vcov = sandwich::vcovHC(fit))) in R 4.2.2, character for character.
        Assert.Contains("Group.L      0.42970754  0.04269996  10.0634 < 2.2e-16 ***", text, StringComparison.Ordinal);
        Assert.Contains("Age.L       -0.39443181  0.07293209  -5.4082 6.366e-08 ***", text, StringComparison.Ordinal);
        Assert.Contains("row 9: Cook's distance 0.1351, hat 0.1765; 14 of 64 rows flagged", text, StringComparison.Ordinal);
        string readme = File.ReadAllText(Path.Combine(Root(), "README.md"));
        foreach (string line in text.Split(Environment.NewLine).Where(l => l.Length > 0))
        {
            if (!readme.Contains(line, StringComparison.Ordinal)) throw new Xunit.Sdk.XunitException("README lacks: " + line);
        }
    }

    [Fact]
    public void Streaming_InsuranceATableAtATime()
    {
        string text = Captured(() =>
        {
            // README:streaming:begin
            // The insurance model again, read eight rows at a time, as a table too large for memory would be read.
            IDataTableChunkSource tables = DataTableChunks.FromTable(Datasets.Insurance(), chunkRows: 8);
            GlmFit streamed = Glm.FitStreaming("Claims ~ District + Group + Age + offset(log(Holders))", tables, GlmFamily.Poisson);
            Console.WriteLine($"deviance {streamed.Deviance:F4} on {streamed.ResidualDegreesOfFreedom} df, AIC {streamed.Aic:F3}, {streamed.DataPasses} passes over the data");
            // README:streaming:end
        });
        GlmFit inMemory = Glm.Fit("Claims ~ District + Group + Age + offset(log(Holders))", Datasets.Insurance(), GlmFamily.Poisson);
        Assert.Contains(FormattableString.Invariant($"deviance {inMemory.Deviance:F4} on 54 df, AIC {inMemory.Aic:F3}"), text, StringComparison.Ordinal);
        string readme = File.ReadAllText(Path.Combine(Root(), "README.md"));
        foreach (string line in text.Split(Environment.NewLine).Where(l => l.Length > 0))
        {
            if (!readme.Contains(line, StringComparison.Ordinal)) throw new Xunit.Sdk.XunitException("README lacks: " + line);
        }
    }

    /// <summary>The README's streaming block is, line for line, the code between the streaming markers.</summary>
    [Fact]
    public void Readme_Streaming_IsTheTestedCode() => AssertBlock("README:streaming", "<!-- tested: streaming -->");

    /// <summary>The README's robust-inference block is, line for line, the code between the robust markers.</summary>
    [Fact]
    public void Readme_Robust_IsTheTestedCode() => AssertBlock("README:robust", "<!-- tested: robust -->");

    [Fact]
    public void Practitioner_GlmNetworkAndNestedNetwork()
    {
        string text = Captured(() =>
        {
            // README:practitioner:begin
            DataTable insurance = Datasets.Insurance();
            const string model = "Claims ~ District + Group + Age + offset(log(Holders))";

            // 1. The GLM with exposure: R's inference.
            GlmFit glm = Glm.Fit(model, insurance, GlmFamily.Poisson);
            Console.WriteLine($"GLM:             deviance {glm.Deviance:F4} on {glm.ResidualDegreesOfFreedom} df, AIC {glm.Aic:F2}");

            // 2. The same model as a one-layer network (inputs one-hot and standardised, the exposure an offset).
            var network = StackedGlm.Create<double>(model, insurance, [new LayerSpec(1, new LogLink())], GlmFamily.Poisson);
            network.Fit(insurance, new TrainingOptions { Optimizer = Optimizer.Lbfgs, MaxEpochs = 1000 });
            GlmConversion back = GlmBridge.ToGlm(network, insurance);
            Console.WriteLine($"network:         deviance {back.Fit.Deviance:F4} (its parameters within 1e-6 of the GLM's: {back.MaxRelativeDifference < 1e-6})");

            // 3. The GLM nested in a network: eta = log(Holders) + X b + f(x), f = 0 at the start.
            double[,] x = glm.Design!.ToArray();
            IReadOnlyList<double> exposure = glm.Design.Offset!;
            NestedGlm<double> nested = NestedGlm.Create<double>(glm, [new LayerSpec(4, new TanhLink())], seed: 1);
            Console.WriteLine($"nested, start:   deviance {Deviance(nested.Predict(x, exposure)):F4} (the GLM's)");
            nested.Fit(x, glm.Design.Response!, offset: exposure, options: new TrainingOptions { Optimizer = Optimizer.Lbfgs, MaxEpochs = 50 });
            Console.WriteLine($"nested, trained: deviance {Deviance(nested.Predict(x, exposure)):F1}");
            BalanceCorrection balance = nested.CorrectBalance(x, glm.Design.Response!, offset: exposure);
            Console.WriteLine($"balance: claims - expected = {balance.Before:P2} of claims before the correction, {Math.Abs(balance.After):P6} after");

            double Deviance(double[] mu) => mu.Select((m, i) => GlmFamily.Poisson.Deviance(glm.Design!.Response![i], m, 1)).Sum();
            // README:practitioner:end
        });
        File.WriteAllText(Path.Combine(Path.GetTempPath(), "nnlinearity-readme-practitioner.txt"), text);
        Assert.Contains("GLM:             deviance 51.4200 on 54 df, AIC 388.74", text, StringComparison.Ordinal); // R's numbers
        Assert.Contains("network:         deviance 51.4200", text, StringComparison.Ordinal);
        Assert.Contains("nested, start:   deviance 51.4200 (the GLM's)", text, StringComparison.Ordinal);
        string readme = File.ReadAllText(Path.Combine(Root(), "README.md"));
        foreach (string line in text.Split(Environment.NewLine).Where(l => l.Length > 0))
        {
            if (!readme.Contains(line, StringComparison.Ordinal)) throw new Xunit.Sdk.XunitException("README lacks: " + line);
        }
    }

    /// <summary>The README's practitioner block is, line for line, the code between the practitioner markers.</summary>
    [Fact]
    public void Readme_Practitioner_IsTheTestedCode() => AssertBlock("README:practitioner", "<!-- tested: practitioner -->");

    /// <summary>The README's formula block is, line for line, the code between the formula markers.</summary>
    [Fact]
    public void Readme_Formulas_IsTheTestedCode() => AssertBlock("README:formulas", "<!-- tested: formulas -->");

    /// <summary>What an example writes to the console.</summary>
    private static string Captured(Action example)
    {
        var output = new StringWriter();
        TextWriter console = Console.Out;
        Console.SetOut(output);
        try
        {
            example();
        }
        finally
        {
            Console.SetOut(console);
        }

        return output.ToString();
    }

    private static string Root()
    {
        string root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "NNLinearity.sln"))) root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("repository root not found");
        return root;
    }

    [Fact]
    public void Linearity_AtRealSize_AndTheRegionsOfAReluNetwork()
    {
        string text = Captured(() =>
        {
            // README:scale:begin
            // 2,000 rows, 10 inputs; the response is 1 inside a circle in the first two inputs.
            var rng = new Random(11);
            var x = new double[2000, 10];
            var y = new double[2000, 1];
            for (int i = 0; i < 2000; i++)
            {
                for (int j = 0; j < 10; j++) x[i, j] = 2 * rng.NextDouble() - 1;
                y[i, 0] = x[i, 0] * x[i, 0] + x[i, 1] * x[i, 1] < 0.5 ? 1 : 0;
            }

            // A ReLU network of 4,929 parameters, trained; then the analysis (matrix-free above 200 parameters).
            var relu = StackedGlm.Create<double>(10, [new LayerSpec(64, new ReluLink()), new LayerSpec(64, new ReluLink()), new LayerSpec(1, new LogitLink())], GlmFamily.Binomial, seed: 2);
            relu.Fit(x, y, new TrainingOptions { MaxEpochs = 30, Seed = 1 });
            Console.WriteLine(LinearityAnalysis.Analyze(relu, x, y));

            // In x it is piecewise linear: between two rows the segment crosses kinks, and each piece is an exact GLM.
            double[] from = [0.9, 0.9, 0, 0, 0, 0, 0, 0, 0, 0], to = [-0.9, -0.9, 0, 0, 0, 0, 0, 0, 0, 0];
            SegmentPath path = LinearityAnalysis.Segment(relu, from, to);
            Console.WriteLine($"(0.9, 0.9, 0, ...) to (-0.9, -0.9, 0, ...): {path.Pieces.Count} pieces, {path.DistinctRegions} regions, {path.Kinks.Count} kinks");
            foreach (SegmentPiece piece in path.Pieces.Where((_, i) => i % 25 == 0))
            {
                LocalGlm glm = piece.LocalGlm;
                Console.WriteLine($"  t in [{piece.Start:F3}, {piece.End:F3}]: eta = {glm.Intercept(0):F2} {glm.Coefficient(0, 0):+0.00;-0.00} x1 {glm.Coefficient(0, 1):+0.00;-0.00} x2 + ... ({glm.Family!.Name}, {glm.Link.Name} link)");
            }

            ActivationRegion centre = LinearityAnalysis.RegionAt(relu, new double[10]);
            Console.WriteLine($"the region of the origin: {centre.Inequalities.Count} inequalities, the nearest boundary {centre.DistanceToBoundary():F3} away");
            RegionCensus census = LinearityAnalysis.CountRegions(relu, x);
            Console.WriteLine($"the 2,000 rows lie in {census.DistinctRegions} regions (the largest holds {census.LargestRegionRows})");
            // README:scale:end
        });
        File.WriteAllText(Path.Combine(Path.GetTempPath(), "nnlinearity-readme-scale.txt"), text);
        Assert.Contains("GLM? No", text, StringComparison.Ordinal);
        Assert.Contains("4929 parameters; matrix-free", text, StringComparison.Ordinal);
        Assert.Contains("Analysed at 1000 rows of 2000 (a seeded sample)", text, StringComparison.Ordinal);
        Assert.Contains("(binomial, logit link)", text, StringComparison.Ordinal);

        // The README shows this run's output (the same digits on every SIMD path); lines with rounding-level numbers aside.
        string readme = File.ReadAllText(Path.Combine(Root(), "README.md"));
        foreach (string line in text.Split(Environment.NewLine).Where(l => l.Length > 0 && !l.Contains("E-1", StringComparison.Ordinal)))
        {
            if (!readme.Contains(line, StringComparison.Ordinal)) throw new Xunit.Sdk.XunitException("README lacks: " + line);
        }
    }

    /// <summary>The README's real-size block is, line for line, the code between the scale markers.</summary>
    [Fact]
    public void Readme_Scale_IsTheTestedCode() => AssertBlock("README:scale", "<!-- tested: scale -->");

    /// <summary>The README's linearity block is, line for line, the code between the linearity markers.</summary>
    [Fact]
    public void Readme_Linearity_IsTheTestedCode() => AssertBlock("README:linearity", "<!-- tested: linearity -->");

    private static void AssertBlock(string marker, string readmeMarker)
    {
        string root = Root();
        string[] test = File.ReadAllLines(Path.Combine(root, "tests", "NNLinearity.Tests", "ReadmeExampleTests.cs"));
        int begin = Array.FindIndex(test, l => l.Trim() == "// " + marker + ":begin");
        int end = Array.FindIndex(test, l => l.Trim() == "// " + marker + ":end");
        string[] tested = test[(begin + 1)..end].Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
        string[] readme = File.ReadAllLines(Path.Combine(root, "README.md"));
        int at = Array.FindIndex(readme, l => l.Trim() == readmeMarker);
        int open = Array.FindIndex(readme, at, l => l.Trim() == "```csharp");
        int close = Array.FindIndex(readme, open + 1, l => l.Trim() == "```");
        string[] shown = readme[(open + 1)..close].Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith("using ", StringComparison.Ordinal)).ToArray();
        Assert.Equal(tested, shown);
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
