using System;
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
}
