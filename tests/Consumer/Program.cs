using NNLinearity.Families;
using NNLinearity.Glm;
using NNLinearity.Links;

// Uses the package through its public API only. Exit code 0 when every check holds.
double[,] x =
{
    { 0, 0, 0, 0 }, { 1, 0, 0, 0 }, { 0, 1, 0, 0 },
    { 0, 0, 1, 0 }, { 1, 0, 1, 0 }, { 0, 1, 1, 0 },
    { 0, 0, 0, 1 }, { 1, 0, 0, 1 }, { 0, 1, 0, 1 },
};
double[] counts = [18, 17, 15, 20, 10, 20, 25, 13, 12];
GlmFit fit = Glm.Fit(x, counts, GlmFamily.Poisson, new LogLink());
Console.WriteLine(fit.Summary());

// R's ?glm: residual deviance 5.1291 on 4 degrees of freedom, AIC 56.76.
bool ok = Math.Abs(fit.Deviance - 5.129141077) < 1e-6 && fit.ResidualDegreesOfFreedom == 4 && Math.Abs(fit.Aic!.Value - 56.76132) < 1e-4;
Console.WriteLine(ok ? "consumer: GLM fit matches R" : "consumer: GLM fit does NOT match R");
return ok ? 0 : 1;
